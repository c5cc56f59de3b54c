"""Fill the Simplified Chinese catalogue from TRANSLATIONS and compile it.

Run after `minping makemessages -l zh_Hans`: python scripts/translate_zh.py (needs polib and gettext's msgfmt).
Strings without a translation are listed and the script exits 1.
"""

import subprocess
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "minping" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

TRANSLATIONS = {
    "Accounts": "账号", "System administrator": "系统管理员", "Organiser": "组织部/考核办", "Street or community office": "街道/社区工作人员",
    "Cadre": "干部", "Department handler": "部门经办人", "Grid worker": "网格员", "Interviewer": "电话督评员", "role": "角色",
    "region": "区域", "Too many failed logins. Try again in 15 minutes.": "登录失败次数过多，请15分钟后再试。",
    "Audit log": "操作日志", "time": "时间", "actor": "操作人", "action": "操作", "object": "对象", "audit event": "操作记录",
    "audit events": "操作记录", "Time": "时间", "Who": "操作人", "Action": "操作", "Object": "对象", "Hash": "哈希", "No events.": "暂无记录。",
    "Imports": "导入", "Checking": "检查中", "Has problems": "有问题", "Ready to import": "可以导入", "Importing": "导入中",
    "Imported": "已导入", "Failed": "失败", "register": "名册", "file": "文件", "status": "状态", "rows": "行数", "problems": "问题数",
    "Progress": "进度", "%(rows)s rows so far": "已处理 %(rows)s 行", "Refresh to see progress": "刷新页面查看进度",
    "%(n)s problems in %(rows)s rows. Nothing has been written. Correct the file and upload it again.":
        "共 %(rows)s 行，发现 %(n)s 个问题。尚未写入任何数据，请修改文件后重新上传。",
    "Row": "行", "Column": "列", "Problem": "问题", "Only the first %(shown)s problems are listed.": "仅列出前 %(shown)s 个问题。",
    "All %(rows)s rows passed the checks. The first rows, as they will be stored:": "全部 %(rows)s 行检查通过。以下是前几行将要保存的内容：",
    "Import %(rows)s rows": "导入 %(rows)s 行", "Imported: %(c)s new, %(u)s updated, %(n)s unchanged.": "导入完成：新增 %(c)s，更新 %(u)s，未变 %(n)s。",
    "The import failed and nothing was written.": "导入失败，未写入任何数据。", "Import registers": "名册导入",
    "Upload a file": "上传文件",
    "Step 1: upload. Step 2: check the preview; every problem is listed by row and column. Step 3: confirm. Nothing is written until you confirm, and only if no row has a problem. Importing the same file again changes nothing.":
        "第一步：上传；第二步：查看预览，每个问题都按行、列列出；第三步：确认导入。确认之前不写入任何数据，有任何一行出错也不会写入。重复导入同一文件不会产生任何变化。",
    "Upload and check": "上传并检查", "Templates": "模板", "Excel template": "Excel 模板", "Export": "导出", "Recent imports": "最近的导入",
    "File": "文件", "Register": "名册", "Status": "状态", "Rows": "行数", "Problems": "问题", "Uploaded": "上传时间",
    "No imports yet.": "还没有导入记录。", "File (xlsx or csv)": "文件（xlsx 或 csv）",
    "The file is larger than the %(limit)s MB limit; split it and import the parts.": "文件超过 %(limit)s MB 的上限，请拆分后分别导入。",
    "Organisation registry": "组织名册", "Name": "名称", "Level": "层级", "Division code": "区划代码", "Province": "省", "City": "市",
    "District / county": "区/县", "Street / town": "街道/乡镇", "Community / village": "社区/村", "Grid": "网格", "name": "名称",
    "level": "层级", "division code": "区划代码", "regions": "区域", "Department": "部门", "Station": "站所", "Resident unit": "驻区单位",
    "kind": "类型", "phone": "电话", "unit": "单位", "units": "单位", "ID number": "身份证号", "gender": "性别", "Male": "男", "Female": "女",
    "birth year": "出生年份", "cadre": "干部", "cadres": "干部", "First secretary": "第一书记", "Party secretary": "书记", "Director": "主任",
    "Section chief": "科室长", "Village-based cadre": "驻村干部", "College-graduate official": "选聘生", "Committee member": "委员",
    "Other": "其他", "post title": "职务", "category": "职务类别", "started on": "任职日期", "ended on": "离任日期", "post": "职务",
    "posts": "职务", "unified social credit code": "统一社会信用代码", "enterprise": "企业", "enterprises": "企业",
    "household number": "户编号", "address": "住址", "household": "户", "households": "户", "resident": "居民", "residents": "居民",
    "Loading…": "加载中…", "No regions yet.": "还没有区域。", "Gender": "性别", "Birth year": "出生年份", "Phone": "电话", "Region": "区域",
    "Posts": "任职", "Post": "职务", "Category": "类别", "Where": "任职单位/区域", "From": "起", "To": "止", "current": "现任",
    "No posts recorded.": "没有任职记录。", "Cadres": "干部", "Name, last digits of phone, or full ID number": "姓名、手机号后几位或完整身份证号",
    "Nothing found.": "没有找到记录。", "Enterprises": "企业", "Name contains, or credit code": "企业名称关键字或统一社会信用代码",
    "Unified social credit code": "统一社会信用代码", "Overview": "概况", "Households": "户", "Household number, or address contains": "户编号或住址关键字",
    "Household number": "户编号", "Address": "住址", "Residents": "居民", "Subregions": "下级区域", "None": "无", "Add a subregion": "添加下级区域",
    "Add": "添加", "Units": "单位", "Rename": "改名", "Save": "保存", "Move under another region": "移动到其他区域之下",
    "New parent (full path, e.g. District/Street)": "新的上级区域（完整路径，如 某区/某街道）", "Move": "移动", "Regions": "区域",
    "Household": "户", "Name contains…": "名称关键字…", "Kind": "类型", "Region created.": "区域已创建。", "Please check the form.": "请检查填写内容。",
    "Region saved.": "区域已保存。", "The new parent region does not exist or is outside your area.": "新的上级区域不存在或不在您的管辖范围内。",
    "Region moved.": "区域已移动。", "Search": "搜索", "Clear region": "清除区域筛选", "Filter": "筛选", "All": "全部", "Export Excel": "导出 Excel",
    "Import": "导入", "Pages": "分页", "Previous": "上一页", "Page %(n)s of %(total)s (%(count)s in all)": "第 %(n)s / %(total)s 页（共 %(count)s 条）",
    "Next": "下一页", "Log in": "登录", "Username": "用户名", "Password": "密码", "Minping": "民评", "Main": "主菜单", "Language": "语言",
    "Go": "确定", "Log out": "退出",
}  # fmt: skip
PLURALS = {"%(counter)s record": "共 %(counter)s 条记录"}


def main() -> int:
    catalogue = polib.pofile(str(PO))
    catalogue.metadata.update({
        "Project-Id-Version": "minping",
        "Language": "zh_Hans",
        "Language-Team": "Minping",
        "Last-Translator": "Minping",
        "PO-Revision-Date": catalogue.metadata.get("POT-Creation-Date", ""),
        "Plural-Forms": "nplurals=1; plural=0;",
    })
    missing = []
    for entry in catalogue:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: PLURALS.get(entry.msgid, "")}
            if not PLURALS.get(entry.msgid):
                missing.append(entry.msgid)
        elif entry.msgid in TRANSLATIONS:
            entry.msgstr = TRANSLATIONS[entry.msgid]
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
        else:
            missing.append(entry.msgid)
    catalogue.save()
    subprocess.run(["msgfmt", "--check", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
