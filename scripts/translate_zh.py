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
    "Evaluations": "测评", "description": "说明", "instrument": "测评表", "instruments": "测评表", "Draft": "草稿",
    "Open": "进行中", "Closed": "已结束", "Published": "已公布", "Archived": "已归档", "QR slip at a meeting": "现场扫码",
    "Paper ballot": "纸质票", "Online, code sent to a registered person": "网上测评（测评码发给名册中的人）",
    "Telephone interview": "电话督评", "quorum (valid ballots per subject)": "有效票下限（每个对象）", "voting opens": "投票开始",
    "voting closes": "投票截止", "campaign": "测评活动", "campaigns": "测评活动", "Grassroots units": "基层单位", "Superiors": "上级",
    "weight": "权重", "quorum": "有效票下限", "Unit": "单位", "post or description": "职务或说明", "peer category": "同类别",
    "Issued": "已发放", "Used": "已使用", "Voided": "已作废", "Printed letters": "打印信函",
    "The code travels in a sealed envelope; whoever prints and posts the letters could read it.": "测评码装在密封信封中寄送；打印和寄送信函的人可能看到测评码。",
    "Text message": "短信",
    "The mobile operator and the SMS gateway can read the code; anyone holding the phone can vote with it.": "运营商和短信网关能看到测评码；持有该手机的人都可以用它投票。",
    "E-mail": "电子邮件",
    "Mail servers on the way can read the code; anyone with access to the mailbox can vote with it.": "途经的邮件服务器能看到测评码；能登录该邮箱的人都可以用它投票。",
    "Whoever holds a slip can vote once. Slips are handed out in the meeting, not to named people.": "持票人可投票一次。测评码在会场随机发放，不与姓名对应。",
    "The sheet is the ballot; two clerks key it independently and it counts only if they agree.": "纸质票即选票；由两名录入员分别录入，两次一致才计入。",
    "One code per registered person, delivered to them; the organiser never learns which code went to whom.": "名册中每人一个测评码；组织者无从知道哪个测评码发给了谁。",
    "An interviewer keys the answers of a resident reached by telephone: the interviewer hears them.": "督评员电话访问居民并代为录入：督评员会听到答案。",
    "ballots cast": "张票已投", "Voting is open": "投票进行中", "Subject": "测评对象", "Ballot box sealed": "票箱已封存",
    "%(used)s of %(issued)s codes used; quorum met for %(met)s of %(total)s subjects.": "已发放 %(issued)s 个测评码，已使用 %(used)s 个；%(total)s 个对象中 %(met)s 个达到有效票下限。",
    "Group": "评价群体", "Invalid ballots": "废票", "valid": "有效", "Quorum": "有效票下限", "met": "已达到", "not yet": "未达到",
    "Public ballot box": "公开票箱", "%(count)s ballots": "共 %(count)s 张票", "Your receipt number": "您的回执号", "Look up": "查询",
    "%(tracker)s: included in the count.": "%(tracker)s：已计入统计。",
    "%(tracker)s: not found. Check the number, or ask the organisers.": "%(tracker)s：未找到。请核对回执号，或询问组织者。",
    "Chain head at opening": "开始时的哈希链头", "Chain head at close": "结束时的哈希链头", "Campaigns": "测评活动",
    "Anonymous: always": "无记名（不可更改）", "Open voting": "开始投票", "Close voting now?": "现在结束投票吗？", "Close voting": "结束投票",
    "Turnout": "参评情况", "Projector view": "大屏展示", "Enter paper ballots": "录入纸质票", "Send codes to a roster": "向名册发送测评码",
    "Subjects": "测评对象", "remove": "移除", "None yet.": "暂无。", "Add cadres": "添加干部", "Add units": "添加单位",
    "Add regions (a community's work)": "添加区域（评议社区工作）", "Add the ticked subjects": "添加勾选的对象", "Evaluator groups": "评价群体",
    "Add group": "添加评价群体", "Codes": "测评码",
    "Codes are shown once, in the PDF you download now; only their fingerprints are kept. Keep the printout safe until it is handed out.": "测评码只在此次下载的 PDF 中出现一次，系统只保存其指纹。发放前请妥善保管打印件。",
    "Create and download": "生成并下载", "Channel": "投票方式", "Void codes (lost slips), one per line": "作废测评码（遗失的票），每行一个",
    "Void": "作废", "Questions": "题目", "Ballots": "票数", "No campaigns yet.": "还没有测评活动。",
    "New campaign from an instrument": "用测评表新建测评活动", "Create": "创建",
    "Everyone on the roster of the chosen region gets one code. Minping records that the roster was sent codes, never which code went to whom.": "所选区域名册中的每个人都会收到一个测评码。系统只记录向该名册发送过测评码，不记录哪个测评码发给了谁。",
    "Create codes and send": "生成测评码并发送", "%(w)s sheets wait for a second keying; %(m)s disagree.": "%(w)s 张票等待第二次录入；%(m)s 张两次录入不一致。",
    "Code printed on the sheet": "票面上的测评码", "Whole ballot invalid": "整张票作废", "No": "否", "Marked “do not know”": "勾选了“不认识”",
    "Section invalid": "本部分作废", "Save this keying": "保存本次录入",
    "Answer every question marked *. If you do not know someone, tick “I do not know this person”.": "标 * 的题目必须作答。不认识的对象请勾选“不认识此人/单位”。",
    "Some answers are missing or not valid; see the marked questions.": "有题目未答或答案无效，请查看标出的题目。",
    "I do not know this person / unit": "不认识此人/单位", "Other questions": "其他问题", "Next: check my answers": "下一步：核对选择",
    "Thank you": "谢谢", "Your ballot has been received": "您的票已收到", "Your receipt number:": "您的回执号：",
    "After “%(name)s” closes, the public ballot box lists every receipt number: look yours up to see that your ballot was counted. The receipt does not show your answers.": "“%(name)s”结束后，公开票箱会列出所有回执号，您可以查询自己的票已被计入。回执号不显示您的选择。",
    "Check your answers": "请核对您的选择", "Submit my ballot": "提交", "Back: change answers": "返回修改", "Enter your code": "输入测评码",
    "Anonymous evaluation": "无记名测评",
    "Your answers cannot be traced to you: the code on your slip is not linked to your name, and no one, including the organisers, can see how you voted.": "您的选择无法追溯到您本人：测评码与姓名没有关联，包括组织者在内的任何人都看不到您投了什么。",
    "Code on your slip (11 letters or digits)": "测评码（11位字母或数字）", "Start": "开始", "Evaluation": "测评", "Instrument": "测评表",
    "Channels": "投票方式", "Quorum (valid ballots per subject)": "有效票下限（每个对象）", "Weight": "权重", "Evaluator group": "评价群体",
    "How many": "数量", "%(n)s subjects added.": "已添加 %(n)s 个测评对象。", "%(n)s codes voided.": "已作废 %(n)s 个测评码。",
    "Saved. The sheet counts once a second clerk has keyed it the same way.": "已保存。另一名录入员录入一致后计入。",
    "This keying differs from another clerk's. Check the sheet; a matching keying resolves it.": "本次录入与另一名录入员不一致。请核对原票，一致的录入即可解决。",
    "Both keyings agree: the ballot is counted.": "两次录入一致，已计票。", "Roster": "名册", "Send by": "发送方式",
    "%(sent)s sent, %(skipped)s without an address.": "已发送 %(sent)s 个，%(skipped)s 人没有联系方式。",
    "Instruments": "测评表", "in use: saving makes a new version": "使用中：保存后生成新版本",
    "Questions about each subject": "针对每个测评对象的题目", "Questions asked once": "只问一次的题目", "required": "必答",
    "New question": "新题目", "Built-in templates cannot be changed: copy one to your region and edit the copy.": "内置模板不能修改：请复制到本区域后修改副本。",
    "Built-in template": "内置模板", "Copy": "复制", "Voting opens (optional)": "投票开始时间（可选）",
    "Voting closes (optional)": "投票截止时间（可选）", "Satisfaction": "满意度", "Grade": "等次", "Yes / no": "是/否",
    "Score 0–100": "0–100分", "Free text": "文字", "Instrument saved.": "测评表已保存。",
    'set weight': '设置权重',
    'The weights of the groups must add up to 1 before voting opens.': '开始投票前，各评价群体的权重之和须为 1。',
    'Results': '测评结果',
    'Valid ballots, 不了解 included': '有效票（含“不了解”）',
    'Valid ballots, 不了解 and 不认识 left out': '有效票（不含“不了解”“不认识”）',
    'Valid ballots, 不了解 and 不认识 included': '有效票（含“不了解”“不认识”）',
    'denominator': '比率分母口径',
    'follow-up rules': '跟进规则',
    'public notice period (days)': '公示期（天）',
    'Many identical ballots': '大量完全相同的测评票',
    'Straight-lining across the matrix': '整张票全部勾选同一选项',
    'A rate ≥ 99.5%': '比率达到 99.5% 以上',
    'Large gap between channels': '不同投票方式结果差距大',
    'More ballots than issued codes': '测评票多于发放的测评码',
    'objection': '申诉内容',
    'contact (optional)': '联系方式（可选）',
    'answer': '答复',
    'Suggestions': '意见建议',
    'Themes': '主要问题',
    'Fewer than 10 ballots in this group: free text is not shown.': '该群体不足10票，意见建议不予显示。',
    'Public notice': '公示',
    'Public notice of evaluation results': '测评结果公示',
    'published': '发布于',
    'objections until': '申诉截止',
    'Ranked by': '排名依据',
    'Denominator of rates': '比率分母口径',
    'Cells with fewer than 5 ballots are not shown; subjects below the quorum are listed as such, without rates.': '少于5票的数据不予公布；未达到法定有效票数的对象只标注“未达法定票数”，不公布比率。',
    'Rank': '名次',
    'Valid ballots': '有效票',
    'quorum not met': '未达法定票数',
    'Objections': '申诉',
    'Answer': '答复',
    'Your objection has been received. The answer will be shown on this page.': '您的申诉已收到，答复将在本页公布。',
    'About': '申诉对象',
    'The campaign as a whole': '整个测评活动',
    'Your objection': '申诉内容',
    'Contact (optional, only if you want an answer in person)': '联系方式（可选，需要当面答复时填写）',
    'Send objection': '提交申诉',
    'The notice period has ended; objections are no longer taken.': '公示期已结束，不再受理申诉。',
    'No results are on public notice now.': '目前没有正在公示的测评结果。',
    'Announce on the projector': '投屏当场公布',
    'Excel workbook': 'Excel 结果表',
    'Word circular': 'Word 结果通报',
    'PDF result sheet': 'PDF 结果签字表',
    'Publish the results to the public notice page?': '确定把结果发布到公示页面吗？',
    'Publish': '发布公示',
    'Public notice page': '公示页面',
    'Archive': '归档',
    'Small groups': '小样本保护',
    'Cells with fewer than 5 ballots are shown as <5, and the total of their subject as —, so that they cannot be worked out.': '少于5票的单元格显示为“<5”，该对象的合计显示为“—”，使其无法被反推。',
    'Objections until': '申诉截止',
    'Needs review': '需要复核',
    'Patterns worth a look. No ballot has been dropped or changed because of them.': '以下情况值得复核。没有任何测评票因此被剔除或修改。',
    'Ranking': '排名',
    'Follow-up list': '跟进名单',
    'No rule fired.': '没有对象触发跟进规则。',
    'Rules': '规则',
    'Example: [{"question": "overall", "metric": "incompetent_rate", "op": ">=", "value": 0.3333}, {"bottom": 5}]': '示例：[{"question": "overall", "metric": "incompetent_rate", "op": ">=", "value": 0.3333}, {"bottom": 5}]',
    'Save rules': '保存规则',
    'Send answer': '提交答复',
    'None so far.': '暂无。',
    'Quorum not met': '未达法定票数',
    'Rank in category': '同类排名',
    'Quorum not met: no rates are given.': '未达到法定有效票数，不计算比率。',
    'Returned': '收回',
    'Valid': '有效',
    "Don't know them": '不认识',
    'Invalid': '无效',
    'Figures': '指标',
    'fewer than 5 ballots: not shown': '少于5票，不显示',
    'Combined (weighted)': '综合（按权重）',
    'Trend across campaigns': '历次测评走势',
    'Results are shown only after voting has closed.': '投票结束后才能查看测评结果。',
    'Follow-up rules (JSON)': '跟进规则（JSON）',
    'Public notice period (days)': '公示期（天）',
    'Saved.': '已保存。',
    'Done.': '已完成。',
    'Answer saved.': '答复已保存。',
}  # fmt: skip
PLURALS = {"%(counter)s record": "共 %(counter)s 条记录", "%(n)s answer": "共 %(n)s 条"}


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
