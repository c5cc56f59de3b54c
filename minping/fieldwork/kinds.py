"""The kinds of contact point a new installation starts with: seed 004's 五个一 (editable afterwards in
the admin); `fieldwork.actions.install_contact_kinds` creates those missing."""

KINDS = [
    # code, name, registry it names
    ("community", "联系社区（村）", "community"),
    ("enterprise", "联系企业", "enterprise"),
    ("talent", "联系人才", "person"),
    ("graduate_official", "联系大学生村官", "cadre"),
    ("family_in_difficulty", "联系困难家庭", "household"),
]
