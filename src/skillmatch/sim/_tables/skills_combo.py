"""Combinatorial part of the skill taxonomy: technique x material, brand x task, equipment.

Each generator returns :data:`SkillRow` tuples ``(name, name_zh, aliases, tags, held_out)``;
names are unique by construction (checked again when the taxonomy is assembled).
"""

from __future__ import annotations

__all__ = ["SkillRow", "combo_rows"]

#: ``(name, name_zh, aliases, tags, held_out)``
SkillRow = tuple[str, str, list[str], list[str], list[str]]

_WELD_PROCESSES = (
    ("TIG", "氩弧焊", "TIG", "TIG", ()),
    ("MIG/MAG", "气保焊", "MIG", "MIG", ()),
    ("Stick", "电弧焊", "stick", "手弧", ("aluminium", "copper")),
    ("Laser", "激光焊", "laser", "激光", ()),
)
_WELD_MATERIALS = (
    ("carbon steel", "碳钢", "carbon steel", ["metal"]),
    ("stainless steel", "不锈钢", "stainless", ["gmp"]),
    ("aluminium alloy", "铝合金", "aluminium", ["veh", "pack"]),
    ("copper", "铜", "copper", ["pack", "motor"]),
)
_CNC_CONTROLLERS = (
    ("FANUC", "发那科"),
    ("Siemens SINUMERIK", "西门子"),
    ("Mitsubishi", "三菱"),
    ("GSK", "广州数控"),
    ("HNC", "华中数控"),
    ("KND", "凯恩帝"),
)
_CNC_TASKS = (
    ("CNC turning programming", "数控车编程", "lathe programming", "车床编程", "mach"),
    ("CNC milling programming", "数控铣编程", "mill programming", "铣床编程", "mach"),
    ("CNC system maintenance", "数控系统维修", "CNC repair", "数控维修", "maint"),
)
_PLCS = (
    ("Siemens S7-1200", "西门子S7-1200", "S7-1200"),
    ("Siemens S7-1500", "西门子S7-1500", "S7-1500"),
    ("Siemens S7-200 SMART", "西门子S7-200 SMART", "S7-200 SMART"),
    ("Mitsubishi FX5U", "三菱FX5U", "FX5U"),
    ("Mitsubishi Q series", "三菱Q系列", "MELSEC-Q"),
    ("Omron NJ/NX", "欧姆龙NJ/NX", "Sysmac"),
    ("Inovance H5U", "汇川H5U", "H5U"),
    ("Delta DVP", "台达DVP", "DVP"),
    ("Rockwell ControlLogix", "罗克韦尔ControlLogix", "ControlLogix"),
    ("Schneider Modicon", "施耐德Modicon", "Modicon"),
)
_ROBOTS = (
    ("ABB", "ABB", "RAPID"),
    ("KUKA", "库卡", "KRL"),
    ("FANUC", "发那科", "KAREL"),
    ("Yaskawa", "安川", "INFORM"),
    ("Estun", "埃斯顿", ""),
    ("EFORT", "埃夫特", ""),  # codespell:ignore efort
    ("Inovance", "汇川", ""),
    ("Epson SCARA", "爱普生SCARA", "SPEL+"),
)
_ROBOT_APPS = (
    ("welding", "焊接", ["weld"]),
    ("palletizing", "码垛", ["logi"]),
    ("spray painting", "喷涂", ["paint"]),
    ("dispensing", "涂胶", ["pack"]),
    ("machine tending", "上下料", ["mach"]),
    ("assembly", "装配", ["fit"]),
    ("grinding and polishing", "打磨抛光", ["metal"]),
)
_EQUIPMENT = (
    ("Injection moulding machine", "注塑机", "poly"),
    ("Laser cutting machine", "激光切割机", "sheet"),
    ("Electrode coating machine", "涂布机", "cell"),
    ("Cell winding machine", "卷绕机", "cell"),
    ("SMT placement machine", "贴片机", "smt"),
    ("CNC machine tool", "数控机床", "mach"),
    ("Stamping press", "冲床", "sheet"),
    ("Lithography scanner", "光刻机", "fab"),
    ("Wire bonder", "键合机", "pkg"),
    ("PV stringer and laminator", "串焊机与层压机", "pvmod"),
    ("Air-jet loom", "喷气织机", "weave"),
    ("Tablet press", "压片机", "gmp"),
    ("Die casting machine", "压铸机", "metal"),
    ("Diffusion furnace", "扩散炉", "pvcell"),
    ("Reflow oven", "回流焊炉", "smt"),
    ("EV charging pile", "充电桩", "charge"),
    ("Spinning frame", "细纱机", "spin"),
)


def _welding() -> list[SkillRow]:
    rows: list[SkillRow] = []
    for proc, proc_zh, abbr, abbr_zh, skip in _WELD_PROCESSES:
        for mat, mat_zh, short, tags in _WELD_MATERIALS:
            if short in skip:
                continue
            aliases = [f"{short} {abbr} welding", f"{mat_zh}{abbr_zh}焊接"]
            rows.append(
                (f"{proc} welding of {mat}", f"{mat_zh}{proc_zh}", aliases, ["weld", *tags], [])
            )
    return rows


def _cnc() -> list[SkillRow]:
    rows: list[SkillRow] = []
    for brand, brand_zh in _CNC_CONTROLLERS:
        short = brand.split()[-1]
        for task, task_zh, alias, alias_zh, tag in _CNC_TASKS:
            rows.append(
                (
                    f"{brand} {task}",
                    f"{brand_zh}系统{task_zh}",
                    [f"{short} {alias}", f"{short}{alias_zh}"],
                    [tag, "mach"],
                    [],
                )
            )
    return rows


def _plc() -> list[SkillRow]:
    return [
        (
            f"{brand} PLC programming",
            f"{brand_zh} PLC编程",
            [f"{short} programming", f"{short}编程"],
            ["auto"],
            [],
        )
        for brand, brand_zh, short in _PLCS
    ]


def _robots() -> list[SkillRow]:
    rows: list[SkillRow] = []
    for brand, brand_zh, lang in _ROBOTS:
        aliases = [f"{brand} robot", f"{brand_zh}机器人"]
        if lang:
            aliases.append(f"{brand} {lang}")
        rows.append((f"{brand} robot programming", f"{brand_zh}机器人编程", aliases, ["robot"], []))
    for app, app_zh, tags in _ROBOT_APPS:
        rows.append(
            (
                f"Robotic {app} workstation operation",
                f"{app_zh}机器人工作站操作",
                [f"robotic {app}", f"{app_zh}机器人操作"],
                ["robot", *tags],
                [],
            )
        )
        rows.append(
            (
                f"{app.capitalize()} robot programming",
                f"{app_zh}机器人编程",
                [f"{app} robot teaching", f"{app_zh}机器人示教"],
                ["robot", *tags],
                [],
            )
        )
    return rows


def _equipment() -> list[SkillRow]:
    return [
        (
            f"{equip} maintenance",
            f"{equip_zh}维修",
            [f"{equip.lower()} repair", f"{equip_zh}保养"],
            ["maint", tag],
            [],
        )
        for equip, equip_zh, tag in _EQUIPMENT
    ]


def _hmi() -> list[SkillRow]:
    return [
        ("Weintek HMI programming", "威纶通触摸屏编程", ["Weintek", "威纶通"], ["auto"], []),
        (
            "MCGS touch screen configuration",
            "昆仑通态触摸屏组态",
            ["MCGS", "昆仑通态"],
            ["auto"],
            [],
        ),
    ]


def combo_rows() -> list[SkillRow]:
    """All combinatorial skill rows, in a fixed order.

    Examples
    --------
    >>> rows = combo_rows()
    >>> rows[0][:2]
    ('TIG welding of carbon steel', '碳钢氩弧焊')
    """
    return [*_welding(), *_cnc(), *_plc(), *_hmi(), *_robots(), *_equipment()]
