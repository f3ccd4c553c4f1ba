"""Industrial chains of the simulated world: nodes, innovation stages and regional demand.

Regional strengths are stylised from public industrial-policy reporting (provincial "chain
leader" programmes): Guangdong and Jiangsu lead electronics and new-energy vehicles, Shanghai
integrated circuits and biomedicine, Anhui new-energy vehicles and photovoltaics, Fujian battery
cells, Sichuan polysilicon and cells, Zhejiang textiles and magnets, Shandong materials. They are
rough weights for simulation, not statistics.
"""

from __future__ import annotations

__all__ = ["CHAIN_SPECS", "MIGRANT_RATE", "REGIONS", "REGION_WEIGHT", "ChainSpec", "NodeSpec"]

REGIONS: tuple[str, ...] = (
    "CN-GD",
    "CN-JS",
    "CN-ZJ",
    "CN-SH",
    "CN-SC",
    "CN-HB",
    "CN-AH",
    "CN-SD",
    "CN-FJ",
    "CN-HN",
    "CN-SN",
    "CN-CQ",
)
#: Share of the simulated industrial workforce in each region (normalised when used).
REGION_WEIGHT: tuple[float, ...] = (
    0.17,
    0.14,
    0.11,
    0.05,
    0.07,
    0.06,
    0.07,
    0.09,
    0.06,
    0.06,
    0.04,
    0.05,
)
#: Probability that a worker in the region is a migrant worker (coastal hubs attract more).
MIGRANT_RATE: tuple[float, ...] = (
    0.80,
    0.68,
    0.76,
    0.74,
    0.50,
    0.55,
    0.54,
    0.55,
    0.70,
    0.52,
    0.55,
    0.56,
)

#: ``(slug, name_en, name_zh, innovation_stage, skill tags, regional overrides)``
NodeSpec = tuple[str, str, str, str, str, dict[str, float]]
#: ``(chain_id, name_en, name_zh, regional strengths in REGIONS order, nodes)``
ChainSpec = tuple[str, str, str, tuple[float, ...], tuple[NodeSpec, ...]]

_NEV: tuple[NodeSpec, ...] = (
    (
        "battery_materials",
        "Battery materials",
        "电池材料",
        "scale_up",
        "batmat chem lab safety qa",
        {"CN-HN": 0.8, "CN-SC": 0.75, "CN-FJ": 0.7, "CN-SH": 0.3},
    ),
    (
        "cells",
        "Battery cells",
        "电芯制造",
        "scale_up",
        "cell clean auto qa lean safety",
        {"CN-FJ": 1.0, "CN-SC": 0.85, "CN-JS": 0.85, "CN-SH": 0.3},
    ),
    ("packs", "Battery packs", "电池包", "mature", "pack weld fit elec qa lean safety", {}),
    (
        "motors",
        "Drive motors and e-drives",
        "驱动电机与电驱",
        "mature",
        "motor elec fit qa lean",
        {},
    ),
    (
        "body_parts",
        "Body and chassis parts",
        "车身与底盘零部件",
        "mature",
        "sheet weld mach mold paint qa",
        {"CN-CQ": 0.85, "CN-HB": 0.75},
    ),
    (
        "smart_driving",
        "Intelligent connected systems",
        "智能网联系统",
        "pilot",
        "adas it digital",
        {"CN-SH": 0.95, "CN-GD": 0.95, "CN-SC": 0.35},
    ),
    (
        "assembly",
        "Vehicle assembly",
        "整车装配",
        "mature",
        "veh fit robot auto qa lean safety",
        {"CN-AH": 0.95, "CN-CQ": 0.9, "CN-SN": 0.75},
    ),
    ("charging", "Charging services", "充电服务", "scale_up", "charge elec hv safety digital", {}),
    (
        "recycling",
        "Battery recycling",
        "电池回收利用",
        "pilot",
        "batmat chem safety logi",
        {"CN-HN": 0.7, "CN-GD": 0.75, "CN-JS": 0.6},
    ),
)
_IC: tuple[NodeSpec, ...] = (
    (
        "materials",
        "Semiconductor materials",
        "半导体材料",
        "scale_up",
        "wafer chem lab clean",
        {"CN-ZJ": 0.7},
    ),
    (
        "equipment",
        "Semiconductor equipment",
        "半导体设备",
        "rnd",
        "fab maint auto fit mach elec",
        {"CN-SH": 0.95, "CN-JS": 0.7, "CN-AH": 0.45},
    ),
    (
        "design",
        "Chip design",
        "芯片设计",
        "rnd",
        "icdesign it",
        {"CN-SH": 1.0, "CN-GD": 0.9, "CN-JS": 0.55, "CN-SC": 0.6, "CN-SN": 0.5},
    ),
    (
        "fab",
        "Wafer fabrication",
        "晶圆制造",
        "scale_up",
        "fab clean qa maint digital",
        {"CN-SH": 0.95, "CN-HB": 0.8, "CN-AH": 0.7, "CN-JS": 0.7, "CN-GD": 0.55},
    ),
    (
        "packaging",
        "Packaging",
        "封装",
        "mature",
        "pkg clean qa auto",
        {"CN-JS": 1.0, "CN-SN": 0.6, "CN-SC": 0.6, "CN-GD": 0.6},
    ),
    ("testing", "Chip testing", "芯片测试", "mature", "pkg inst digital qa", {"CN-JS": 0.9}),
    ("modules", "Modules and applications", "电子模组与应用", "mature", "smt elec qa", {}),
)
_ROBOT: tuple[NodeSpec, ...] = (
    (
        "components",
        "Core components",
        "核心零部件",
        "pilot",
        "fit mach motor elec inst",
        {"CN-JS": 0.85, "CN-ZJ": 0.8},
    ),
    (
        "bodies",
        "Robot bodies",
        "机器人本体",
        "scale_up",
        "robot fit elec qa",
        {"CN-GD": 0.9, "CN-SH": 0.85, "CN-AH": 0.7},
    ),
    (
        "machine_tools",
        "CNC machine tools",
        "数控机床",
        "mature",
        "mach maint elec inst",
        {"CN-SD": 0.75, "CN-SN": 0.6, "CN-HB": 0.6},
    ),
    ("integration", "System integration", "系统集成", "mature", "robot auto elec draw hyd", {}),
    (
        "smart_factory",
        "Smart factory and industrial internet",
        "智能工厂与工业互联网",
        "pilot",
        "digital it auto lean",
        {"CN-SH": 0.85, "CN-ZJ": 0.8},
    ),
    (
        "services",
        "Operation and maintenance services",
        "运维服务",
        "mature",
        "maint robot elec hyd",
        {},
    ),
)
_PV: tuple[NodeSpec, ...] = (
    (
        "polysilicon",
        "Polysilicon",
        "多晶硅",
        "mature",
        "pvmat chem safety",
        {"CN-SC": 0.9, "CN-JS": 0.55, "CN-SH": 0.05, "CN-GD": 0.1, "CN-ZJ": 0.25},
    ),
    (
        "wafers",
        "Ingots and wafers",
        "硅棒与硅片",
        "mature",
        "pvmat wafer clean",
        {"CN-SN": 0.7, "CN-JS": 0.8, "CN-SC": 0.65},
    ),
    ("cells", "Solar cells", "电池片", "scale_up", "pvcell clean auto qa", {"CN-AH": 0.85}),
    ("modules", "PV modules", "光伏组件", "mature", "pvmod auto qa lean", {}),
    (
        "inverters",
        "Inverters and power electronics",
        "逆变器与电力电子",
        "mature",
        "smt elec motor",
        {"CN-GD": 0.7, "CN-AH": 0.85, "CN-ZJ": 0.8},
    ),
    (
        "storage",
        "Energy storage systems",
        "储能系统",
        "scale_up",
        "ess pack elec",
        {"CN-GD": 0.8, "CN-FJ": 0.75},
    ),
    (
        "plants",
        "Plant construction and O&M",
        "电站建设与运维",
        "mature",
        "pvplant elec hv safety",
        {"CN-SN": 0.7, "CN-SD": 0.7},
    ),
)
_BIO: tuple[NodeSpec, ...] = (
    (
        "rnd",
        "R&D services and CRO",
        "研发外包服务",
        "rnd",
        "lab bio it",
        {"CN-SH": 1.0, "CN-JS": 0.8, "CN-ZJ": 0.7},
    ),
    (
        "api",
        "Active pharmaceutical ingredients",
        "原料药",
        "mature",
        "chem gmp lab safety",
        {"CN-ZJ": 0.8, "CN-SD": 0.75},
    ),
    ("biologics", "Biologics", "生物制品", "scale_up", "bio gmp clean lab", {"CN-SH": 0.9}),
    ("formulation", "Finished dosage manufacturing", "制剂生产", "mature", "gmp clean qa", {}),
    (
        "devices",
        "Medical devices",
        "医疗器械",
        "scale_up",
        "meddev clean qa poly",
        {"CN-GD": 0.85, "CN-JS": 0.85},
    ),
    (
        "distribution",
        "Pharma distribution and cold chain",
        "医药流通与冷链",
        "mature",
        "logi gmp",
        {},
    ),
)
_MAT: tuple[NodeSpec, ...] = (
    (
        "metals",
        "Special metals and alloys",
        "特种金属与合金",
        "mature",
        "metal safety",
        {"CN-HN": 0.75, "CN-SD": 0.8},
    ),
    (
        "chemicals",
        "New chemical materials",
        "化工新材料",
        "scale_up",
        "chem poly lab",
        {"CN-SD": 0.85, "CN-ZJ": 0.7},
    ),
    (
        "composites",
        "Composites and ceramics",
        "复合材料与先进陶瓷",
        "pilot",
        "comp",
        {"CN-JS": 0.75, "CN-SN": 0.65},
    ),
    (
        "magnets",
        "Rare-earth functional materials",
        "稀土功能材料",
        "scale_up",
        "magnet",
        {"CN-ZJ": 0.85, "CN-SH": 0.15},
    ),
    ("processing", "Materials processing", "材料成形加工", "mature", "metal mach weld", {}),
    ("testing", "Testing and certification", "检验检测认证", "mature", "inst ndt lab qa", {}),
)
_ELEC: tuple[NodeSpec, ...] = (
    ("components", "Electronic components", "电子元器件", "mature", "smt pkg", {}),
    (
        "pcb",
        "Printed circuit boards",
        "印制电路板",
        "mature",
        "pcb chem",
        {"CN-GD": 0.95, "CN-JS": 0.8},
    ),
    (
        "displays",
        "Display panels",
        "显示面板",
        "scale_up",
        "display clean",
        {"CN-AH": 0.75, "CN-HB": 0.7, "CN-SC": 0.65},
    ),
    ("smt", "SMT assembly", "SMT贴装", "mature", "smt qa", {}),
    ("devices", "Device assembly", "整机组装", "mature", "smt fit qa lean", {"CN-HN": 0.55}),
    ("repair", "After-sales repair", "售后维修", "mature", "smt logi", {}),
)
_TEX: tuple[NodeSpec, ...] = (
    ("fibres", "Chemical fibres", "化学纤维", "mature", "fibre chem poly", {"CN-ZJ": 1.0}),
    ("spinning", "Spinning", "纺纱", "mature", "spin maint", {"CN-SD": 0.7}),
    ("weaving", "Weaving and knitting", "织造与针织", "mature", "weave", {}),
    ("dyeing", "Dyeing and finishing", "印染后整理", "mature", "dye chem", {}),
    ("garments", "Garment making", "服装制造", "mature", "sew", {}),
    ("ecommerce", "E-commerce and logistics", "电商与物流", "scale_up", "ecom logi digital", {}),
)

#: Every chain of the simulated world, upstream nodes first.
CHAIN_SPECS: tuple[ChainSpec, ...] = (
    (
        "nev",
        "New-energy vehicles",
        "新能源汽车",
        (0.95, 0.8, 0.7, 0.85, 0.6, 0.65, 0.9, 0.5, 0.75, 0.5, 0.6, 0.8),
        _NEV,
    ),
    (
        "ic",
        "Integrated circuits",
        "集成电路",
        (0.75, 0.85, 0.6, 1.0, 0.55, 0.65, 0.6, 0.35, 0.35, 0.3, 0.55, 0.4),
        _IC,
    ),
    (
        "robot",
        "Industrial robots and intelligent manufacturing",
        "工业机器人与智能制造",
        (0.9, 0.85, 0.75, 0.8, 0.4, 0.55, 0.6, 0.6, 0.4, 0.6, 0.4, 0.5),
        _ROBOT,
    ),
    (
        "pv",
        "Photovoltaics and energy storage",
        "光伏与储能",
        (0.35, 0.95, 0.8, 0.4, 0.7, 0.35, 0.8, 0.5, 0.45, 0.3, 0.6, 0.3),
        _PV,
    ),
    (
        "bio",
        "Biomedicine",
        "生物医药",
        (0.65, 0.85, 0.7, 0.95, 0.6, 0.6, 0.35, 0.65, 0.3, 0.35, 0.35, 0.4),
        _BIO,
    ),
    (
        "mat",
        "Advanced materials",
        "先进材料",
        (0.45, 0.7, 0.65, 0.4, 0.55, 0.6, 0.5, 0.8, 0.55, 0.7, 0.55, 0.45),
        _MAT,
    ),
    (
        "elec",
        "Electronic information manufacturing",
        "电子信息制造",
        (1.0, 0.8, 0.6, 0.6, 0.6, 0.5, 0.45, 0.35, 0.5, 0.45, 0.4, 0.65),
        _ELEC,
    ),
    (
        "tex",
        "Textiles and apparel",
        "纺织服装",
        (0.8, 0.8, 0.95, 0.2, 0.3, 0.45, 0.4, 0.6, 0.85, 0.35, 0.15, 0.2),
        _TEX,
    ),
)
