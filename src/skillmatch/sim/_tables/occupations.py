"""Occupations and national vocational-certificate trades of the simulated world.

Occupation rows::

    occupation_id | English name | Chinese name | node slug | skill tags | extra skills (;) | trade

``node slug`` is ``chain.node``; the occupation's skills are the named extra skills first, then
the taxonomy's skills carrying one of the tags (at most 30). ``trade`` is the certificate trade
(Chinese name, a key of :data:`TRADES`) a worker in the occupation usually holds, or empty.
Occupations marked ``*`` in front of the id are cross-cutting: workers at any node may hold them.
"""

from __future__ import annotations

__all__ = ["OCCUPATION_ROWS", "TRADES"]

OCCUPATION_ROWS = """
battery_material_operator|Battery material operator|电池材料生产操作工|nev.battery_materials|
    batmat chem||化工总控工
electrode_operator|Electrode process operator|极片工序操作工|nev.cells|cell|Dry room operation|
    电池制造工
cell_assembler|Battery cell assembler|电芯装配工|nev.cells|cell|Laser welding;Ultrasonic welding|
    电池制造工
pack_assembler|Battery pack assembler|电池包装配工|nev.packs|pack|Torque tightening;Leak testing|
    电池制造工
motor_assembler|Drive motor assembler|电机装配工|nev.motors|motor|Torque tightening|电机装配工
stamping_operator|Stamping operator|冲压工|nev.body_parts|sheet|Stamping press maintenance|冲压工
body_welder|Body welder|焊装工|nev.body_parts|weld|Body-in-white welding|焊工
adas_tester|ADAS test technician|智能网联测试员|nev.smart_driving|adas|Vehicle road testing|
    智能网联汽车测试员
vehicle_assembler|Vehicle assembly worker|汽车总装工|nev.assembly|veh|Torque tightening|汽车装调工
vehicle_painter|Automotive painter|汽车涂装工|nev.assembly|paint|Automotive painting|涂装工
vehicle_inspector|Vehicle quality inspector|整车质检员|nev.assembly|qa|Vehicle road testing|质检员
ev_mechanic|EV maintenance technician|新能源汽车维修工|nev.charging|veh charge|
    NEV high-voltage safety|汽车维修工
charger_installer|Charging pile installer|充电桩安装运维员|nev.charging|charge hv|
    Low-voltage electrical installation|电工
battery_recycler|Battery recycling operator|电池回收拆解工|nev.recycling|batmat|
    Dangerous goods transport|
semi_material_operator|Semiconductor materials operator|半导体材料操作员|ic.materials|wafer|
    Cleanroom operation|
fab_equipment_technician|Fab equipment technician|半导体设备工程师|ic.equipment|fab maint|
    Vacuum systems|仪器仪表维修工
ic_layout_engineer|IC layout engineer|版图设计工程师|ic.design|icdesign|Linux basics;
    Python for data analysis|
fab_operator|Wafer fab operator|晶圆制造操作员|ic.fab|fab clean||半导体芯片制造工
packaging_operator|Chip packaging operator|封装操作工|ic.packaging|pkg|Cleanroom operation|
    半导体分立器件和集成电路装调工
chip_tester|Chip test technician|芯片测试员|ic.testing|pkg inst|Chip testing|
    半导体分立器件和集成电路装调工
module_assembler|Electronic module assembler|电子模组装配工|ic.modules|smt||电子设备装接工
reducer_assembler|Precision reducer assembler|精密减速器装配工|robot.components|fit|
    Reducer assembly;Gear machining|钳工
robot_assembler|Robot assembly technician|机器人装调工|robot.bodies|robot fit||工业机器人系统操作员
cnc_turner|CNC lathe operator|数控车工|robot.machine_tools|mach|CNC lathe operation;CNC programming|
    车工
cnc_miller|CNC milling operator|数控铣工|robot.machine_tools|mach|CNC milling;
    Machining centre operation|铣工
machine_tool_fitter|Machine tool fitter|装配钳工|robot.machine_tools|fit|Mechanical assembly|钳工
robot_integrator|Robot integration technician|机器人集成调试员|robot.integration|robot auto||
    工业机器人系统运维员
automation_technician|Automation technician|自动化电气调试员|robot.integration|auto elec|
    PLC programming|可编程控制系统设计师
mes_specialist|MES implementation specialist|MES实施专员|robot.smart_factory|digital it||
iiot_technician|Industrial internet technician|工业互联网运维员|robot.smart_factory|digital|
    Industrial network configuration|
*maintenance_mechanic|Maintenance mechanic|设备维修工|robot.services|maint hyd|
    Mechanical maintenance|钳工
robot_maintainer|Robot maintenance technician|机器人运维员|robot.services|robot maint||
    工业机器人系统运维员
*industrial_electrician|Industrial electrician|维修电工|robot.services|elec hv|
    Electrical troubleshooting|电工
polysilicon_operator|Polysilicon operator|多晶硅制取工|pv.polysilicon|pvmat chem|
    Polysilicon production|化工总控工
crystal_puller|Crystal growth operator|拉晶工|pv.wafers|pvmat|Silicon crystal growth|
pv_cell_operator|Solar cell operator|电池片操作工|pv.cells|pvcell||光伏组件制造工
pv_module_operator|PV module operator|光伏组件操作工|pv.modules|pvmod||光伏组件制造工
inverter_tester|Inverter test technician|逆变器测试员|pv.inverters|smt|Power electronics testing|
    电子设备装接工
ess_technician|Energy storage technician|储能运维员|pv.storage|ess|NEV high-voltage safety|电工
pv_installer|PV installer|光伏安装工|pv.plants|pvplant|Working at height|电工
pv_om_technician|PV plant O&M technician|光伏电站运维员|pv.plants|pvplant hv||电工
lab_analyst|Laboratory analyst|化验员|bio.rnd|lab||化学检验员
cell_culture_technician|Cell culture technician|细胞培养技术员|bio.rnd|bio|Biosafety|
api_operator|API production operator|原料药操作工|bio.api|chem gmp||化学合成制药工
bioprocess_operator|Bioprocess operator|生物制药工|bio.biologics|bio gmp||生化药品制造工
formulation_operator|Formulation operator|药物制剂工|bio.formulation|gmp||药物制剂工
pharma_qc_analyst|Pharmaceutical QC analyst|药品检验员|bio.formulation|lab|GMP compliance|药物检验员
device_assembler|Medical device assembler|医疗器械装配工|bio.devices|meddev|Cleanroom operation|
    医疗器械装配工
cold_chain_clerk|Cold chain logistics clerk|医药冷链物流员|bio.distribution|logi|
    Cold chain logistics|仓储管理员
smelter|Steel smelting operator|冶炼工|mat.metals|metal|Special steel smelting|炼钢工
heat_treater|Heat treatment operator|热处理工|mat.processing|metal|Heat treatment;Hardness testing|
    热处理工
caster|Foundry worker|铸造工|mat.processing|metal|Sand casting;Die casting|铸造工
chem_operator|Chemical process operator|化工操作工|mat.chemicals|chem||化工总控工
composite_technician|Composite layup technician|复合材料成型工|mat.composites|comp||
magnet_operator|Magnet production operator|磁材生产工|mat.magnets|magnet||
ndt_inspector|NDT inspector|无损检测员|mat.testing|ndt inst||无损检测员
injection_moulder|Injection moulding operator|注塑工|mat.chemicals|poly|
    Injection moulding machine maintenance|塑料制品成型制作工
smt_operator|SMT operator|SMT操作员|elec.smt|smt|ESD protection|电子设备装接工
electronics_assembler|Electronics assembler|电子装配工|elec.devices|smt fit||电子设备装接工
pcb_operator|PCB process operator|PCB制程操作员|elec.pcb|pcb||印制电路制作工
display_operator|Display panel operator|面板制程操作员|elec.displays|display clean||
component_operator|Component production operator|元器件生产操作工|elec.components|pkg|
    ESD protection|
repair_technician|Electronics repair technician|电子产品维修工|elec.repair|smt|Mobile phone repair|
    家用电子产品维修工
*quality_inspector|Quality inspector|质检员|elec.devices|qa|Visual inspection|质检员
fibre_spinner|Chemical fibre spinning operator|化纤纺丝工|tex.fibres|fibre||
spinner|Spinning operator|纺纱工|tex.spinning|spin||纺纱工
weaver|Weaver|织布工|tex.weaving|weave||织布工
dyer|Dyeing operator|印染工|tex.dyeing|dye||印染工
sewing_operator|Sewing machine operator|缝纫工|tex.garments|sew||缝纫工
*warehouse_keeper|Warehouse keeper|仓库管理员|tex.ecommerce|logi|WMS operation|仓储管理员
*forklift_driver|Forklift driver|叉车司机|tex.ecommerce|logi|Forklift operation|叉车司机
ecommerce_operator|E-commerce operator|电商运营专员|tex.ecommerce|ecom||电子商务师
*welder|Welder|焊工|mat.processing|weld|Shielded metal arc welding|焊工
"""

#: Certificate trade (Chinese name) -> (English name, skill tags).
TRADES: dict[str, tuple[str, str]] = {
    "焊工": ("Welder", "weld"),
    "电工": ("Electrician", "elec hv"),
    "钳工": ("Fitter", "fit"),
    "车工": ("Turner", "mach"),
    "铣工": ("Milling machine operator", "mach"),
    "数控程序员": ("CNC programmer", "mach draw"),
    "模具工": ("Mould maker", "mold"),
    "电池制造工": ("Battery maker", "cell pack"),
    "电机装配工": ("Motor assembler", "motor"),
    "冲压工": ("Stamping worker", "sheet"),
    "智能网联汽车测试员": ("Intelligent connected vehicle tester", "adas"),
    "汽车装调工": ("Automobile assembly and adjustment worker", "veh"),
    "涂装工": ("Painter", "paint"),
    "质检员": ("Quality inspector", "qa"),
    "汽车维修工": ("Automobile mechanic", "veh charge"),
    "半导体芯片制造工": ("Semiconductor chip maker", "fab clean"),
    "半导体分立器件和集成电路装调工": ("Semiconductor device and IC assembler", "pkg"),
    "工业机器人系统操作员": ("Industrial robot system operator", "robot"),
    "工业机器人系统运维员": ("Industrial robot system O&M technician", "robot maint"),
    "可编程控制系统设计师": ("Programmable control system designer", "auto"),
    "仪器仪表维修工": ("Instrument repairer", "inst auto"),
    "化工总控工": ("Chemical process control operator", "chem"),
    "光伏组件制造工": ("PV module maker", "pvmod pvcell"),
    "电子设备装接工": ("Electronic equipment assembler", "smt"),
    "化学检验员": ("Chemical inspector", "lab"),
    "化学合成制药工": ("Chemical synthesis pharmaceutical worker", "gmp chem"),
    "生化药品制造工": ("Biochemical pharmaceutical worker", "bio gmp"),
    "药物制剂工": ("Pharmaceutical preparation worker", "gmp"),
    "药物检验员": ("Pharmaceutical inspector", "lab gmp"),
    "医疗器械装配工": ("Medical device assembler", "meddev"),
    "仓储管理员": ("Warehouse manager", "logi"),
    "炼钢工": ("Steelmaker", "metal"),
    "热处理工": ("Heat treater", "metal"),
    "铸造工": ("Foundry worker", "metal"),
    "无损检测员": ("NDT inspector", "ndt"),
    "塑料制品成型制作工": ("Plastic moulding worker", "poly"),
    "印制电路制作工": ("PCB maker", "pcb"),
    "家用电子产品维修工": ("Household electronics repairer", "smt"),
    "纺纱工": ("Spinner", "spin"),
    "织布工": ("Weaver", "weave"),
    "印染工": ("Dyer", "dye"),
    "缝纫工": ("Sewing worker", "sew"),
    "叉车司机": ("Forklift driver", "logi"),
    "电子商务师": ("E-commerce specialist", "ecom"),
}
