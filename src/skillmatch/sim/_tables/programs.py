"""Catalogue vocabulary: majors, providers, certificate levels and course title templates."""

from __future__ import annotations

__all__ = [
    "CITY",
    "LEVEL_NAMES",
    "MAJORS",
    "ONLINE_PROVIDERS",
    "PROVIDERS",
    "SHORT_TEMPLATES",
]

#: ``(junior-college major zh, en, skill tags, bachelor major zh, en)``
MAJORS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "机电一体化技术",
        "Mechatronics Technology",
        "fit elec auto draw",
        "机械电子工程",
        "Mechatronic Engineering",
    ),
    (
        "电气自动化技术",
        "Electrical Automation Technology",
        "elec auto",
        "电气工程及其自动化",
        "Electrical Engineering and Automation",
    ),
    (
        "工业机器人技术",
        "Industrial Robot Technology",
        "robot auto",
        "机器人工程",
        "Robotics Engineering",
    ),
    (
        "数控技术",
        "CNC Technology",
        "mach draw",
        "机械设计制造及其自动化",
        "Mechanical Design, Manufacturing and Automation",
    ),
    (
        "智能制造装备技术",
        "Intelligent Manufacturing Equipment Technology",
        "auto digital maint",
        "智能制造工程",
        "Intelligent Manufacturing Engineering",
    ),
    (
        "新能源汽车技术",
        "New Energy Vehicle Technology",
        "veh pack charge motor",
        "新能源汽车工程",
        "New Energy Vehicle Engineering",
    ),
    (
        "新能源材料应用技术",
        "New Energy Materials Application Technology",
        "batmat cell",
        "新能源材料与器件",
        "New Energy Materials and Devices",
    ),
    (
        "集成电路技术",
        "Integrated Circuit Technology",
        "fab pkg icdesign",
        "集成电路设计与集成系统",
        "IC Design and Integrated Systems",
    ),
    (
        "微电子技术",
        "Microelectronics Technology",
        "fab clean",
        "微电子科学与工程",
        "Microelectronics Science and Engineering",
    ),
    (
        "应用电子技术",
        "Applied Electronics Technology",
        "smt pcb",
        "电子信息工程",
        "Electronic Information Engineering",
    ),
    (
        "光伏工程技术",
        "Photovoltaic Engineering Technology",
        "pvcell pvmod pvplant",
        "新能源科学与工程",
        "New Energy Science and Engineering",
    ),
    (
        "储能材料技术",
        "Energy Storage Materials Technology",
        "ess pack batmat",
        "储能科学与工程",
        "Energy Storage Science and Engineering",
    ),
    (
        "药品生产技术",
        "Pharmaceutical Production Technology",
        "gmp lab",
        "制药工程",
        "Pharmaceutical Engineering",
    ),
    ("生物制药技术", "Biopharmaceutical Technology", "bio gmp", "生物制药", "Biopharmaceutics"),
    (
        "医疗器械维护与管理",
        "Medical Device Maintenance and Management",
        "meddev",
        "生物医学工程",
        "Biomedical Engineering",
    ),
    (
        "材料工程技术",
        "Materials Engineering Technology",
        "metal comp inst",
        "材料成型及控制工程",
        "Materials Forming and Control Engineering",
    ),
    (
        "应用化工技术",
        "Applied Chemical Technology",
        "chem lab",
        "化学工程与工艺",
        "Chemical Engineering and Technology",
    ),
    (
        "现代纺织技术",
        "Modern Textile Technology",
        "spin weave dye",
        "纺织工程",
        "Textile Engineering",
    ),
    (
        "服装设计与工艺",
        "Fashion Design and Technology",
        "sew",
        "服装设计与工程",
        "Fashion Design and Engineering",
    ),
    (
        "现代物流管理",
        "Modern Logistics Management",
        "logi ecom",
        "物流管理",
        "Logistics Management",
    ),
    (
        "工业互联网技术",
        "Industrial Internet Technology",
        "digital it",
        "物联网工程",
        "Internet of Things Engineering",
    ),
    (
        "焊接技术与自动化",
        "Welding Technology and Automation",
        "weld robot",
        "焊接技术与工程",
        "Welding Technology and Engineering",
    ),
    (
        "安全技术与管理",
        "Safety Technology and Management",
        "safety",
        "安全工程",
        "Safety Engineering",
    ),
)

#: Region -> vocational colleges and universities ``(zh, en)`` offering programs there.
PROVIDERS: dict[str, tuple[tuple[str, str], ...]] = {
    "CN-GD": (
        ("深圳职业技术大学", "Shenzhen Polytechnic University"),
        ("东莞职业技术学院", "Dongguan Polytechnic"),
    ),
    "CN-JS": (
        ("无锡职业技术学院", "Wuxi Institute of Technology"),
        ("常州机电职业技术学院", "Changzhou Vocational Institute of Mechatronic Technology"),
    ),
    "CN-ZJ": (
        ("金华职业技术大学", "Jinhua University of Vocational Technology"),
        ("宁波职业技术学院", "Ningbo Polytechnic"),
    ),
    "CN-SH": (
        ("上海电子信息职业技术学院", "Shanghai Technical Institute of Electronics"),
        ("上海工程技术大学", "Shanghai University of Engineering Science"),
    ),
    "CN-SC": (
        ("四川工程职业技术大学", "Sichuan Engineering Technical University"),
        ("宜宾职业技术学院", "Yibin Vocational and Technical College"),
    ),
    "CN-HB": (
        ("武汉职业技术学院", "Wuhan Polytechnic"),
        ("湖北工业职业技术学院", "Hubei Industrial Polytechnic"),
    ),
    "CN-AH": (
        ("安徽机电职业技术学院", "Anhui Technical College of Mechanical and Electrical"),
        ("合肥职业技术学院", "Hefei Technology College"),
    ),
    "CN-SD": (
        ("日照职业技术学院", "Rizhao Polytechnic"),
        ("淄博职业学院", "Zibo Vocational Institute"),
    ),
    "CN-FJ": (
        ("福建船政交通职业学院", "Fujian Chuanzheng Communications College"),
        ("宁德职业技术学院", "Ningde Vocational and Technical College"),
    ),
    "CN-HN": (
        ("湖南汽车工程职业大学", "Hunan Automotive Engineering Vocational University"),
        ("湖南工业职业技术学院", "Hunan Industry Polytechnic"),
    ),
    "CN-SN": (
        ("陕西工业职业技术大学", "Shaanxi Polytechnic University"),
        ("西安航空职业技术学院", "Xi'an Aeronautical Polytechnic Institute"),
    ),
    "CN-CQ": (
        ("重庆工业职业技术学院", "Chongqing Industry Polytechnic College"),
        ("重庆电子科技职业大学", "Chongqing Electronic Science and Technology University"),
    ),
}

#: Region -> main industrial city ``(zh, en)``, for public training bases.
CITY: dict[str, tuple[str, str]] = {
    "CN-GD": ("深圳", "Shenzhen"),
    "CN-JS": ("苏州", "Suzhou"),
    "CN-ZJ": ("宁波", "Ningbo"),
    "CN-SH": ("上海", "Shanghai"),
    "CN-SC": ("成都", "Chengdu"),
    "CN-HB": ("武汉", "Wuhan"),
    "CN-AH": ("合肥", "Hefei"),
    "CN-SD": ("青岛", "Qingdao"),
    "CN-FJ": ("福州", "Fuzhou"),
    "CN-HN": ("长沙", "Changsha"),
    "CN-SN": ("西安", "Xi'an"),
    "CN-CQ": ("重庆", "Chongqing"),
}

#: Nationwide online providers ``(zh, en)``.
ONLINE_PROVIDERS: tuple[tuple[str, str], ...] = (
    ("国家开放大学", "The Open University of China"),
    ("智慧职教", "Smart Vocational Education Platform"),
    ("学堂在线", "XuetangX"),
    ("职工数字学堂", "Workers' Digital Academy"),
)

#: National vocational skill level -> ``(zh, en)``; 5 is entry, 1 is senior technician.
LEVEL_NAMES: dict[int, tuple[str, str]] = {
    5: ("五级/初级工", "Level 5 / Entry"),
    4: ("四级/中级工", "Level 4 / Intermediate"),
    3: ("三级/高级工", "Level 3 / Advanced"),
    2: ("二级/技师", "Level 2 / Technician"),
    1: ("一级/高级技师", "Level 1 / Senior technician"),
}

#: Short-course title templates ``(zh, en, target skill level)``; ``{zh}``/``{en}`` is the skill.
SHORT_TEMPLATES: tuple[tuple[str, str, int], ...] = (
    ("{zh}入门", "Introduction to {en}", 2),
    ("{zh}实操训练营", "{en}: hands-on bootcamp", 3),
    ("{zh}岗位技能提升班", "{en} upskilling class", 3),
    ("{zh}进阶课程", "Advanced {en}", 4),
    ("{zh}实战与案例", "{en} in practice", 3),
    ("{zh}专项培训", "{en} specialist training", 3),
    ("{zh}高级研修班", "{en} master class", 5),
    ("零基础学{zh}", "{en} for beginners", 1),
)
