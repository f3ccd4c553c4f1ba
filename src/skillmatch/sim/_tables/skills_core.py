"""Hand-written skill taxonomy, part 1: trades common to every manufacturing chain.

One row per line, fields separated by ``|``::

    English name | Chinese name | public aliases (;) | tags (space) | held-out forms (;)

The first tag is the skill's category. Public aliases become part of the vocabulary; held-out
forms (colloquial Chinese, rarer synonyms) are only used to evaluate skill matching and never
appear in the vocabulary or in simulated worker claims.
"""

from __future__ import annotations

__all__ = ["CORE_ROWS"]

CORE_ROWS = """
Shielded metal arc welding|焊条电弧焊|arc welding;stick welding;SMAW;手工电弧焊;电焊|weld|
    MMA welding;烧电焊
Gas tungsten arc welding|钨极氩弧焊|TIG welding;GTAW;氩弧焊|weld|tungsten inert gas welding;烧氩弧
Gas metal arc welding|熔化极气体保护焊|MIG welding;MAG welding;GMAW;二保焊|weld|CO2 welding;气保焊接
Resistance spot welding|电阻点焊|spot welding;RSW;点焊|weld veh|打点焊
Laser welding|激光焊接|laser beam welding;LBW;激光焊|weld cell|
Brazing|钎焊|hard soldering;硬钎焊|weld|silver brazing
Submerged arc welding|埋弧焊|SAW;埋弧自动焊|weld metal|
Plasma cutting|等离子切割|plasma arc cutting;等离子割|weld sheet|
Oxy-fuel cutting|火焰切割|flame cutting;气割;氧气切割|weld|gas cutting;割枪切割
Pipe welding in all positions|管道全位置焊接|6G pipe welding;pipe welding;管道焊接|weld|全位置焊
Weld defect inspection|焊缝检验|weld inspection;焊接质量检验|weld qa|weld quality check
Welding procedure qualification|焊接工艺评定|WPS;PQR;焊接工艺规程|weld|
Welding fixture setup|焊接工装调整|welding jig setup;焊接夹具调整|weld fit|
Ultrasonic welding|超声波焊接|ultrasonic bonding;超声焊|weld cell pack|
Friction stir welding|搅拌摩擦焊|FSW;摩擦焊|weld metal pack|
CNC lathe operation|数控车床操作|CNC turning;CNC lathe;数控车|mach|开数控车床;cnc turner
CNC milling|数控铣削|CNC mill;数控铣|mach|铣床数控加工
CNC programming|数控编程|G-code programming;NC programming;G代码编程|mach|写G代码
Machining centre operation|加工中心操作|VMC operation;CNC machining centre;加工中心|mach|开加工中心
Five-axis machining|五轴加工|5-axis CNC;五轴数控加工|mach|5 axis machining
Conventional lathe turning|普通车床车削|manual lathe;普车;车削加工|mach|开车床
Conventional milling|普通铣床铣削|manual milling;普铣;铣削加工|mach|
Surface grinding|平面磨削|surface grinder;平面磨床操作|mach|
Cylindrical grinding|外圆磨削|OD grinding;外圆磨床|mach|
Wire EDM|线切割加工|wire-cut EDM;WEDM;线切割|mach mold|走丝
Sinker EDM|电火花成型加工|EDM;spark erosion;电火花加工|mach mold|
CAM programming|CAM自动编程|computer-aided manufacturing;CAM;Mastercam|mach draw|自动编程软件
Tool setting and offsets|对刀与刀具补偿|tool offset;对刀;刀补|mach|
Cutting tool selection|刀具选用|tooling selection;刀具选择|mach|
Gear machining|齿轮加工|gear hobbing;滚齿;插齿|mach motor|
Precision machining|精密加工|precision parts machining;精加工|mach|
Sheet metal fabrication|钣金加工|sheet metal;钣金|sheet|钣金活
CNC press brake operation|数控折弯|press brake;折弯机操作;折弯|sheet|
Laser cutting machine operation|激光切割机操作|laser cutting;激光切割|sheet|
Stamping press operation|冲压操作|stamping;冲床操作;冲压|sheet veh|开冲床
Die and mould fitting|模具钳工|mould fitting;模具装配;模具维修|mold fit|修模
Injection mould design|注塑模具设计|mould design;模具设计|mold draw poly|
Stamping die design|冲压模具设计|press die design;冲模设计|mold sheet draw|
Bench fitting|钳工操作|bench work;钳工;划线锉削|fit|干钳工
Drilling and tapping|钻孔攻丝|drilling;tapping;钻孔;攻丝|fit mach|打孔攻牙
Mechanical assembly|机械装配|mechanical fitting;机械装配工;装配钳工|fit|装机器
Torque tightening|拧紧工艺|torque tightening;电动拧紧;扭矩控制|fit veh|打螺丝
Precision assembly and adjustment|精密装调|precision assembly;装调|fit robot|
Reducer assembly|减速器装配|RV reducer assembly;harmonic drive assembly;减速机装配|fit robot|
Bearing installation|轴承安装与更换|bearing replacement;轴承安装|fit maint|换轴承
Low-voltage electrical installation|低压电气安装|LV wiring;低压电工;电气安装|elec|
    low voltage electrician work
High-voltage electrical operation|高压电工作业|HV electrical work;高压电工;高压操作|elec hv|
Electrical control cabinet wiring|电气控制柜接线|panel wiring;配电柜接线;电柜装配|elec auto|配盘
Relay-contactor motor control|继电接触器控制线路|motor control circuits;继电控制;电机控制线路|elec|
Electrical drawing reading|电气图纸识读|electrical schematics;看电气图;电气原理图|elec draw|
Electrical troubleshooting|电气故障排查|electrical fault finding;电气维修;查电路|elec maint|
    找电路故障
Variable frequency drive setup|变频器调试|VFD;inverter drive;变频器|elec auto|
Servo drive tuning|伺服驱动调试|servo tuning;伺服调试;servo drive|auto motor robot|
Power distribution maintenance|供配电维护|switchgear maintenance;配电运维;供配电|elec hv maint|
Grounding and lightning protection|防雷接地|earthing;接地;lightning protection|elec pvplant|
Electrical test instruments|电工仪表使用|multimeter;megohmmeter;万用表;兆欧表|elec inst|摇表
Cable termination|电缆终端制作|cable jointing;电缆头制作|elec hv|
Wire harness assembly|线束装配|wire harness;harness assembly;线束|elec veh pack|
Transformer maintenance|变压器维护|transformer servicing;变压器检修|elec hv maint|
PLC programming|PLC编程|PLC;programmable logic controller;可编程控制器编程|auto|plc program writing
Ladder logic|梯形图编程|ladder diagram;LAD;梯形图|auto|
HMI configuration|触摸屏组态|HMI;touch panel programming;人机界面|auto|
SCADA configuration|组态软件开发|SCADA;WinCC;组态王|auto digital|
Industrial network configuration|工业网络配置|PROFINET;EtherCAT;Modbus;工业以太网|auto digital|
Sensor installation and calibration|传感器安装与标定|sensor calibration;传感器;sensors|auto inst|
Machine vision|机器视觉|vision inspection system;视觉检测;industrial vision|auto robot qa|
Motion control|运动控制|motion controller;运动控制卡|auto robot|
DCS operation|DCS操作|distributed control system;集散控制系统|auto chem|
PID loop tuning|PID回路整定|PID tuning;PID调节;控制回路整定|auto chem|
Pneumatic systems|气动系统|pneumatics;气动;气缸|hyd auto|
Hydraulic systems maintenance|液压系统维修|hydraulics;液压;液压维修|hyd maint|修液压
Electro-pneumatic control|电气动控制|electro-pneumatics;电磁阀控制|hyd auto|
Production line commissioning|自动化产线调试|line commissioning;产线调试;自动线调试|auto|调机
Non-standard automation assembly|非标自动化设备装配|non-standard automation;非标设备装配|auto fit|
Virtual commissioning|虚拟调试|digital twin commissioning;数字孪生调试|auto digital|
Industrial robot teaching|工业机器人示教|robot teaching;teach pendant programming;示教器编程|robot|
    机器人示教编程
Industrial robot offline programming|工业机器人离线编程|offline programming;RobotStudio;离线编程|
    robot|
Industrial robot maintenance|工业机器人维护保养|robot maintenance;机器人保养|robot maint|
Robot system integration|机器人系统集成|robot integration;机器人工作站集成|robot auto|
Robot TCP calibration|机器人工具坐标标定|TCP calibration;工具坐标标定|robot|
Collaborative robot deployment|协作机器人应用|cobot;协作机器人|robot|
AGV and AMR operation|AGV调度与运维|AGV;AMR;自动导引车|robot logi|
Robot cell safety|机器人安全防护|robot guarding;安全光栅;robot safety|robot safety|
Statistical process control|统计过程控制|SPC;control charts;控制图|qa|
Measurement system analysis|测量系统分析|MSA;gauge R&R;量具重复性与再现性|qa inst|
Failure mode and effects analysis|失效模式与影响分析|FMEA;PFMEA;DFMEA|qa|
8D problem solving|8D问题解决|8D;8D report;eight disciplines|qa|
Incoming quality control|来料检验|IQC;进料检验|qa|
In-process quality control|制程检验|IPQC;过程检验;巡检|qa|
Final quality control|成品检验|FQC;OQC;出货检验|qa|
First article inspection|首件检验|FAI;首检|qa|
ISO 9001 quality management|ISO 9001质量管理体系|ISO9001;质量体系|qa|
IATF 16949 automotive quality|IATF 16949汽车质量体系|IATF16949;TS16949|qa veh|
APQP and PPAP|APQP与PPAP|APQP;PPAP;产品质量先期策划|qa veh|
Six Sigma Green Belt|六西格玛绿带|Six Sigma;DMAIC;六西格玛|lean qa|
Visual inspection|外观检验|cosmetic inspection;目检;外观检查|qa|看外观
Sampling inspection|抽样检验|AQL sampling;AQL;抽检|qa|
Gauge calibration management|计量器具校准|gauge calibration;计量校准|inst qa|
Coordinate measuring machine|三坐标测量|CMM;三坐标;coordinate measurement|inst|打三坐标
Geometric dimensioning and tolerancing|形位公差|GD&T;几何公差|inst draw|
Calipers and micrometers|游标卡尺与千分尺使用|vernier caliper;micrometer;卡尺;千分尺|inst|
    用卡尺量尺寸
Surface roughness measurement|表面粗糙度测量|roughness testing;粗糙度仪|inst|
3D scanning inspection|三维扫描检测|3D scanning;三维扫描;laser scanning|inst|
Ultrasonic testing|超声波探伤|UT;ultrasonic flaw detection;超声检测|ndt|
Radiographic testing|射线探伤|RT;X-ray inspection;射线检测|ndt|拍片探伤
Magnetic particle testing|磁粉探伤|MT;磁粉检测|ndt|
Penetrant testing|渗透探伤|PT;dye penetrant;渗透检测|ndt|
Hardness testing|硬度检测|Rockwell hardness;Brinell hardness;硬度计|inst metal|
Tensile testing|拉伸试验|tensile test;万能试验机;力学性能测试|inst metal|
Metallographic analysis|金相分析|metallography;金相检验|metal inst|
Leak testing|气密性检测|leak test;air tightness test;气密检测|qa pack veh|
5S workplace organisation|5S现场管理|5S;6S;现场管理|lean|搞5S
Lean production|精益生产|lean manufacturing;TPS;丰田生产方式|lean|
Total productive maintenance|全员生产维护|TPM;全员设备维护|lean maint|
Kaizen continuous improvement|持续改善|kaizen;改善提案|lean|
Value stream mapping|价值流图分析|VSM;value stream;价值流|lean|
Standard work|标准作业|standardized work;SOP;作业指导书|lean|写SOP
Kanban pull system|看板管理|kanban;拉动生产|lean logi|
Quick changeover|快速换模|SMED;快速换线;换型|lean|
Error proofing|防错设计|poka-yoke;防呆;error-proofing|lean qa|
Visual management|目视化管理|visual factory;目视管理|lean|
OEE analysis|OEE分析|overall equipment effectiveness;设备综合效率|lean maint|
Line balancing|生产线平衡|line balance;工序平衡;节拍平衡|lean|
Production scheduling|生产排程|production planning;排产;生产计划|lean logi|
Shop-floor team leading|班组管理|team leader;班组长;shift supervision|soft lean|带班
Cost reduction|成本控制|cost control;降本;降本增效|lean|
Workplace safety|安全生产|occupational safety;安全生产知识;EHS|safety|
Hazard identification|危险源辨识|JSA;risk identification;风险辨识|safety|
Fire safety|消防安全|fire fighting;消防;灭火器使用|safety|
Hazardous chemicals handling|危险化学品管理|hazmat;危化品;MSDS|safety chem|
Confined space work|有限空间作业|confined space entry;有限空间|safety|
Working at height|高处作业|work at height;登高作业;高空作业|safety pvplant|爬高
First aid and CPR|急救与心肺复苏|first aid;CPR;急救|safety|
Personal protective equipment|劳动防护用品使用|PPE;劳保用品|safety|
Occupational health|职业健康|occupational health protection;职业病防护|safety|
ISO 14001 environmental management|ISO 14001环境管理|ISO14001;环境体系|safety|
Hot work permit|动火作业管理|hot work;动火作业|safety weld|
Lockout-tagout|上锁挂牌|LOTO;lockout tagout;能量隔离|safety elec|
ESD protection|静电防护|ESD;electrostatic discharge control;防静电|safety smt fab|
Crane and rigging operation|起重吊装|rigging;overhead crane;行车操作;天车|logi safety|开行车
Forklift operation|叉车操作|forklift;forklift driving;叉车司机;铲车|logi|开叉车;fork lift
Equipment preventive maintenance|设备维护保养|preventive maintenance;设备保养;点检|maint|
Mechanical maintenance|机械维修|mechanical repair;机修;机修工|maint fit|修机器
Lubrication management|润滑管理|lubrication;润滑|maint|
Vibration analysis|振动分析|vibration monitoring;condition monitoring;状态监测|maint inst|
Predictive maintenance|预测性维护|PdM;predictive analytics for maintenance;预测维护|maint digital|
Pump and valve maintenance|泵阀维修|pump repair;valve maintenance;泵维修|maint chem|
Air compressor maintenance|空压机维护|air compressor;空压系统|maint|
HVAC and chiller maintenance|暖通空调维护|HVAC;chiller;冷水机组|maint clean|修空调
Boiler operation|锅炉操作|boiler;司炉;锅炉工|maint chem|烧锅炉
Mechanical drawing reading|机械识图|blueprint reading;识图;engineering drawings|draw|看图纸
AutoCAD drafting|AutoCAD制图|AutoCAD;CAD;CAD制图|draw|
SolidWorks 3D modelling|SolidWorks三维建模|SolidWorks;SW建模|draw|
UG NX modelling|UG NX建模|UG;NX;Unigraphics|draw mach|
CATIA design|CATIA设计|CATIA;CATIA建模|draw veh|
Creo design|Creo设计|Creo;Pro/E;ProE|draw|
Tolerance stack-up analysis|尺寸链分析|tolerance stack-up;公差分析|draw|
EPLAN electrical design|EPLAN电气设计|EPLAN;电气制图|draw elec|
Reverse engineering|逆向工程|reverse modelling;逆向建模|draw inst|
MES operation|MES系统操作|MES;manufacturing execution system;制造执行系统|digital|
ERP application|ERP系统应用|ERP;SAP;用友;金蝶|digital logi|
Industrial IoT|工业物联网|IIoT;industrial internet of things;工业互联网|digital|
Python for data analysis|Python数据分析|Python;pandas;python data|it digital|
Excel data processing|Excel数据处理|Excel;spreadsheets;电子表格|it|做表格
SQL queries|SQL数据库查询|SQL;MySQL;数据库查询|it|
Industrial data acquisition|工业数据采集|data acquisition;DAQ;数采|digital auto|
Edge computing gateways|边缘计算网关|edge gateway;边缘计算|digital|
Industrial control security|工控安全|ICS security;industrial cybersecurity;工控网络安全|digital it|
Machine learning for quality|机器学习质量预测|machine learning;ML;AI质检|it digital qa|
Office software|计算机基础与办公软件|computer basics;Word;电脑操作|it|用电脑
Digital workshop operation|数字化车间运维|smart factory operation;智能工厂;数字化车间|digital|
Barcode and RFID|条码与RFID应用|RFID;barcode scanning;扫码|logi digital|
WMS operation|WMS仓储系统操作|WMS;warehouse management system;仓库管理系统|logi digital|
Linux basics|Linux基础|Linux;shell|it|
Warehouse management|仓储管理|warehousing;库存管理;仓管|logi|
Inventory counting|库存盘点|stock taking;盘点;cycle count|logi|
Material handling|物料搬运|materials handling;搬运|logi|
Packing operation|包装作业|packing;包装|logi|打包
Supply chain coordination|供应链协调|supply chain;SCM;供应链管理|logi|
Purchasing|采购管理|procurement;采购|logi|
Dangerous goods transport|危险品运输|dangerous goods;危货运输|logi safety|
Cold chain logistics|冷链物流|cold chain;冷链|logi bio|
Truck driving|货车驾驶|truck driving licence;heavy goods vehicle;货车司机|logi|开大货车
Spray painting|喷涂|spray coating;喷漆;喷涂作业|paint|喷油漆
Electroplating|电镀|plating;电镀工艺|paint chem|
Anodizing|阳极氧化|anodising;阳极氧化处理|paint metal|
Powder coating|粉末涂装|powder coating line;喷粉|paint|
Workplace communication|职场沟通|communication;沟通能力|soft|
Technical English|专业英语|technical English;英语|soft|
On-the-job mentoring|新员工带教|on-the-job training;带徒;mentoring|soft|带新人
Project management|项目管理|PMP;project planning|soft|
"""
