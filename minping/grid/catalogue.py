"""The catalogue of problem categories a new installation starts with (editable afterwards in the admin);
`grid.actions.install_categories` creates those missing."""

CATALOGUE = [
    # code, name, hours to receive, days to resolve, evidence required to resolve
    ("sanitation", "环境卫生", 24, 3, True),
    ("facilities", "市政设施（路灯、道路、井盖）", 24, 7, True),
    ("safety", "安全隐患（消防、三小场所、危房）", 4, 3, True),
    ("order", "社会治安", 4, 7, False),
    ("dispute", "矛盾纠纷", 24, 15, False),
    ("construction", "违法建设", 24, 15, True),
    ("rental", "出租屋管理", 24, 7, False),
    ("livelihood", "民生服务（低保、养老、就业）", 24, 10, False),
    ("other", "其他", 24, 7, False),
]
