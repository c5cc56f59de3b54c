"""What each audit action is called on the console. The codes stay in the log (they are what `audit verify`
hashes); people read these names. A code without a name is shown as 其他操作 with the code."""

ACTIONS = {
    "apikey.create": "创建 API 密钥",
    "apikey.revoke": "吊销 API 密钥",
    "campaign.create": "创建测评活动",
    "campaign.add_subjects": "添加测评对象",
    "campaign.remove_subject": "移除测评对象",
    "campaign.group_weight": "调整评价群体权重",
    "campaign.window": "设置投票时间",
    "campaign.open": "开启投票",
    "campaign.close": "结束投票并计票",
    "campaign.archive": "归档测评活动",
    "codes.issue": "发放测评码",
    "codes.void": "作废测评码",
    "demo.seed": "生成演示数据",
    "evidence.store": "上传佐证材料",
    "import.commit": "导入名册",
    "import.expire": "清理过期导入",
    "instrument.copy": "复制测评表",
    "instrument.edit": "修改测评表",
    "job.run_now": "立即运行定时任务",
    "region.create": "新建区域",
    "region.move": "调整区域隶属",
    "region.rename": "区域更名",
    "results.policy": "设置计分规则",
    "results.publish": "发布结果公示",
    "results.objection": "收到公示异议",
    "results.answer_objection": "答复公示异议",
}


def action_label(code: str) -> str:
    return ACTIONS.get(code, f"其他操作（{code}）")
