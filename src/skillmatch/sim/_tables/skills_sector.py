"""Hand-written skill taxonomy, part 2: skills specific to one industrial chain.

Same row format as :mod:`skillmatch.sim._tables.skills_core`::

    English name | Chinese name | public aliases (;) | tags (space) | held-out forms (;)
"""

from __future__ import annotations

__all__ = ["SECTOR_ROWS"]

SECTOR_ROWS = """
Cathode material synthesis|正极材料合成|cathode materials;NCM;LFP;磷酸铁锂;三元材料|batmat chem|
Anode material processing|负极材料加工|graphite anode;石墨负极;负极材料|batmat|
Electrolyte preparation|电解液配制|electrolyte;电解液|batmat chem|
Separator film production|隔膜生产|separator;隔膜;湿法隔膜|batmat poly|
Slurry mixing|浆料搅拌|slurry mixing;匀浆;合浆|cell|
Electrode coating|极片涂布|electrode coating;涂布;coating machine|cell|做涂布
Electrode calendering|极片辊压|calendering;辊压|cell|
Electrode slitting and die cutting|极片分切模切|slitting;分切;模切|cell|
Cell winding|电芯卷绕|winding;卷绕;jelly roll winding|cell|
Cell stacking|电芯叠片|stacking;叠片;Z-fold stacking|cell|
Electrolyte filling|注液工序|electrolyte injection;注液|cell|
Formation and grading|化成分容|formation;grading;化成;分容|cell|
Cell testing and sorting|电芯测试分选|cell sorting;OCV testing;电芯分选|cell qa|
Dry room operation|干燥房作业|dry room;低湿环境;露点控制|cell clean|
Battery module and pack assembly|电池模组与PACK装配|pack assembly;PACK;模组装配;电池包装配|pack|
    装电池包
Battery management system testing|BMS测试|BMS;battery management system;电池管理系统|pack ess|
Battery safety testing|电池安全测试|abuse testing;针刺试验;电池安全|pack cell qa|
Battery recycling and dismantling|动力电池回收|battery recycling;梯次利用;电池拆解|batmat pack|
    拆旧电池
Hydrometallurgical metal recovery|湿法冶金回收|hydrometallurgy;湿法回收;metal leaching|batmat chem|
Vehicle final assembly|整车装配|final assembly;总装;汽车装配|veh|车间总装
Vehicle electrical commissioning|整车电气调试|vehicle electrical test;电检;整车调试|veh elec|
Body-in-white welding|车身焊装|BIW welding;BIW;焊装|veh weld|
Automotive painting|汽车涂装|car painting;涂装;automotive coating|veh paint|
NEV high-voltage safety|新能源汽车高压安全|EV high-voltage safety;高压电安全;HV safety|
    veh hv charge|
NEV maintenance and repair|新能源汽车维修|EV repair;电动车维修;新能源汽修|veh charge|修电车
Vehicle fault diagnosis|汽车故障诊断|OBD diagnostics;car diagnostics;汽车诊断;解码仪|veh|
Vehicle road testing|整车路试|road test;路试|veh|
Automotive interior trim assembly|汽车内饰装配|interior trim;内饰装配|veh fit|
Drive motor assembly|驱动电机装配|e-motor assembly;电机装配;motor assembly|motor|
Motor coil winding|电机绕线嵌线|coil winding;绕线;嵌线|motor|
Motor test bench operation|电机台架测试|motor testing;电机测试;dynamometer test|motor inst|
Motor controller testing|电机控制器测试|motor control unit;MCU testing;电控测试|motor smt|
Power electronics testing|电力电子测试|IGBT module testing;power electronics;电力电子|motor ess|
EV charger installation|充电桩安装|charging pile installation;充电桩;charging station installation|
    charge elec|装充电桩
Charging station operation|充电站运维|charging O&M;充电运维|charge|
ADAS calibration|ADAS标定|ADAS;driver assistance calibration;智能驾驶标定|adas veh|
Vehicle CAN bus diagnostics|CAN总线诊断|CAN bus;CAN诊断;CANoe|adas veh smt|
Lidar and camera testing|激光雷达与摄像头测试|lidar testing;sensor fusion testing;激光雷达|adas|
Intelligent cockpit software testing|智能座舱软件测试|cockpit testing;HMI testing;座舱测试|adas it|
Cleanroom operation|洁净室作业|cleanroom;clean room protocol;无尘室;净化车间|clean|进无尘车间
Photolithography|光刻工艺|lithography;光刻|fab|
Wet etching|湿法刻蚀|wet etch;湿刻|fab|
Dry etching|干法刻蚀|plasma etch;dry etch;干刻|fab|
Chemical vapour deposition|化学气相沉积|CVD;化学沉积|fab|
Physical vapour deposition|物理气相沉积|PVD;sputtering;溅射镀膜|fab display|
Ion implantation|离子注入|ion implant;implant|fab|
Chemical mechanical polishing|化学机械抛光|CMP;平坦化|fab wafer|
Wafer cleaning|晶圆清洗|wafer clean;清洗工艺|fab wafer|
Diffusion and oxidation|扩散与氧化|diffusion furnace;oxidation;扩散炉|fab pvcell|
Wafer metrology|晶圆量测|metrology;CD-SEM;膜厚测量|fab inst|
Semiconductor equipment maintenance|半导体设备维护|fab equipment maintenance;机台维护;tool PM|
    fab maint|修机台
Yield analysis|良率分析|yield improvement;良率提升|fab digital|
Vacuum systems|真空系统维护|vacuum pumps;真空泵;vacuum technology|fab maint pvcell|
Specialty gas and chemical supply|特气与化学品供应|specialty gases;特气;gas cabinet|fab wafer chem|
Silicon crystal growth|单晶硅生长|Czochralski growth;拉晶;单晶炉|pvmat wafer|拉单晶
Electronic chemicals purification|电子化学品提纯|high-purity reagents;高纯试剂;wet chemicals|
    wafer chem|
IC layout design|集成电路版图设计|IC layout;版图设计;Virtuoso|icdesign|画版图
Digital IC verification|数字IC验证|IC verification;UVM;芯片验证|icdesign it|
Verilog HDL design|Verilog硬件设计|Verilog;RTL design;硬件描述语言|icdesign|
Chip failure analysis|芯片失效分析|failure analysis;FA;失效分析|pkg fab|
Wafer dicing|晶圆切割|dicing;划片|pkg|
Die bonding|芯片贴装|die attach;固晶;装片|pkg|
Wire bonding|引线键合|wire bond;打线;键合|pkg|
Mould encapsulation|塑封成型|molding;encapsulation;塑封|pkg|
Chip testing|芯片测试|ATE testing;CP test;FT测试|pkg inst|
Test program development|测试程序开发|test program;ATE programming;测试程序|pkg it|
SMT line operation|SMT产线操作|SMT;surface mount technology;贴片|smt|
Pick-and-place programming|贴片机编程|pick and place;mounter programming;贴片机|smt|调贴片机
Solder paste printing|锡膏印刷|stencil printing;锡膏印刷机;SPI|smt|刷锡膏
Reflow soldering|回流焊|reflow;回流焊接|smt|过炉
Wave soldering|波峰焊|wave solder;波峰焊接|smt|
Through-hole assembly|插件作业|through-hole technology;DIP插件;插件|smt|插机
Manual soldering|手工焊锡|hand soldering;电烙铁焊接;焊锡|smt|烙铁焊
PCB rework|PCB返修|rework;返修;BGA rework|smt|
Electronic product testing|电子产品测试|ICT;FCT;functional testing;功能测试|smt qa|
Automated optical inspection|自动光学检测|AOI;光学检测|smt qa pkg|
Electronic component identification|电子元器件识别|component identification;元器件识别|smt|认元件
Circuit debugging|电路调试|circuit debugging;电子调试;板卡调试|smt elec|
Embedded programming|嵌入式编程|embedded C;MCU programming;单片机;STM32|smt it|
Electronic product assembly|电子产品装配|electronics assembly;电子装配;整机装配|smt fit|
Mobile phone repair|手机维修|phone repair;手机维修技术|smt|修手机
PCB etching and plating|PCB蚀刻电镀|PCB etching;电路板蚀刻;沉铜|pcb chem|
PCB drilling and routing|PCB钻孔成型|PCB drilling;钻孔机;锣板|pcb|
PCB layout design|PCB设计|PCB design;Altium;layout|pcb draw|画板
Display module assembly|显示模组组装|LCD module assembly;模组组装;背光组装|display|
OLED evaporation|OLED蒸镀|evaporation;蒸镀|display fab|
Array process for displays|显示面板阵列工艺|array process;阵列工艺;TFT array|display fab|
Wafer slicing|硅片切割|diamond wire sawing;金刚线切片;切片|pvmat|
Polysilicon production|多晶硅生产|polysilicon;改良西门子法;多晶硅还原|pvmat chem|
PV cell texturing|电池片制绒|texturing;制绒|pvcell|
PECVD coating|PECVD镀膜|PECVD;减反射膜|pvcell fab|
PV cell screen printing|电池片丝网印刷|screen printing;丝网印刷;丝印|pvcell|
PV cell IV testing|电池片IV测试|IV test;IV测试;cell efficiency test|pvcell qa|
Electroluminescence inspection|EL检测|EL test;EL inspection;EL测试|pvmod pvcell qa|
PV module stringing|组件串焊|stringer;串焊;tabbing and stringing|pvmod|
PV module lamination|组件层压|lamination;层压;层压机|pvmod|
PV module framing|组件装框|framing;装框|pvmod|
PV power plant installation|光伏电站安装|solar installation;光伏安装;PV installation|pvplant|
    装光伏板
PV plant operation and maintenance|光伏电站运维|PV O&M;solar O&M;光伏运维|pvplant|
PV inverter commissioning|光伏逆变器调试|inverter commissioning;逆变器调试|pvplant ess elec|
Distributed rooftop PV design|分布式光伏设计|rooftop solar;户用光伏;distributed PV|pvplant draw|
Energy storage system integration|储能系统集成|ESS integration;BESS;储能集成|ess pack|
Energy storage plant operation|储能电站运维|ESS O&M;储能运维|ess|
PCS commissioning|储能变流器调试|PCS;power conversion system;储能变流器|ess elec|
Electrolyser operation|电解水制氢设备操作|electrolyzer;制氢;hydrogen production|ess chem|
GMP compliance|GMP规范|GMP;good manufacturing practice;药品生产质量管理规范|gmp|
Aseptic gowning|洁净区更衣|gowning;aseptic gowning;更衣程序|gmp clean|
Aseptic processing|无菌操作|aseptic technique;无菌灌装;sterile processing|gmp bio|
Tablet compression|压片|tableting;压片机|gmp|
Granulation|制粒|wet granulation;制粒工艺|gmp|
Capsule filling|胶囊填充|capsule filling machine;胶囊灌装|gmp|
Vial filling and sealing|灌装封口|filling line;灌封;vial filling|gmp|
Freeze drying|冷冻干燥|lyophilization;冻干|gmp bio|
Sterilization|灭菌|autoclave;steam sterilization;湿热灭菌|gmp meddev|
Pharmaceutical packaging|药品包装|blister packing;泡罩包装|gmp logi|
Deviation and CAPA handling|偏差与CAPA管理|CAPA;deviation management;偏差处理|gmp qa|
Validation and qualification|验证与确认|IQ/OQ/PQ;validation;设备验证|gmp qa|
Data integrity|数据完整性|ALCOA;data integrity;数据可靠性|gmp digital|
HPLC analysis|高效液相色谱分析|HPLC;liquid chromatography;液相色谱|lab|跑液相
Gas chromatography|气相色谱分析|GC;gas chromatograph;气相色谱|lab|
UV-Vis spectrophotometry|紫外可见分光光度法|UV-Vis;分光光度计|lab|
Mass spectrometry|质谱分析|LC-MS;mass spec;质谱|lab bio|
Microbiological testing|微生物检验|microbiology testing;微生物限度;bioburden|lab gmp|
Chemical titration|化学滴定|titration;容量分析;滴定|lab chem|
Sample preparation|样品前处理|sample prep;样品制备|lab|
PCR testing|PCR检测|PCR;qPCR;核酸检测|lab bio|
Cell culture|细胞培养|mammalian cell culture;细胞培养技术|bio|养细胞
Fermentation|发酵工艺|bioreactor;fermenter;发酵罐|bio chem|
Protein purification|蛋白纯化|chromatography purification;纯化;层析|bio|
Biosafety|生物安全|BSL-2;biosafety cabinet;生物安全柜|bio safety|
Medical device assembly|医疗器械装配|medical device production;医疗器械|meddev fit|
Medical device regulations|医疗器械法规|ISO 13485;医疗器械质量体系|meddev qa|
Heat treatment|热处理|heat treating;quenching;淬火|metal|
Sand casting|砂型铸造|foundry;sand casting process;铸造|metal|翻砂
Die casting|压铸|die-casting;压铸机操作|metal|
Forging|锻造|forging press;锻压|metal|打铁
Special steel smelting|特种钢冶炼|steelmaking;electric arc furnace;炼钢|metal|
Aluminium alloy processing|铝合金加工|aluminium processing;铝型材|metal mach|
Powder metallurgy|粉末冶金|powder metallurgy process;粉末冶金工艺|metal comp|
Rolling mill operation|轧机操作|rolling;轧钢;轧制|metal|
Carbon fibre composite layup|碳纤维复合材料铺层|composite layup;carbon fiber;预浸料铺贴|comp|
Composite curing with autoclave|热压罐固化|autoclave curing;热压罐;固化工艺|comp|
Advanced ceramics sintering|先进陶瓷烧结|ceramics;sintering;烧结|comp|
Nanomaterials preparation|纳米材料制备|nanomaterials;纳米材料|comp lab|
Rare-earth magnet processing|稀土永磁加工|NdFeB magnets;钕铁硼;permanent magnets|magnet|
Magnet magnetisation and testing|磁体充磁与检测|magnetizing;充磁;磁性能检测|magnet inst|
Rare-earth separation|稀土分离|rare earth extraction;稀土萃取|magnet chem|
Injection moulding|注塑|injection molding;注塑机操作;注塑成型|poly|打注塑
Plastic extrusion|挤出成型|extrusion;挤出|poly|
Rubber compounding|橡胶混炼|rubber mixing;密炼|poly|
Polymer characterisation|高分子材料表征|DSC;TGA;polymer analysis|poly lab|
Chemical reactor operation|化工反应釜操作|reactor operation;反应釜;chemical reactor|chem|看反应釜
Distillation operation|精馏操作|distillation;精馏塔|chem|
Chemical process control|化工总控|chemical plant operation;化工操作;化工总控工|chem|
Chemical fibre spinning|化纤纺丝|fiber spinning;纺丝;polyester spinning|fibre poly|
Spinning frame operation|细纱机操作|ring spinning;细纱;纺纱|spin|挡车工
Carding and drawing|梳棉并条|carding;梳棉;并条|spin|
Weaving loom operation|织机操作|weaving;织布;air-jet loom|weave|看织机
Knitting machine operation|针织机操作|knitting;针织;circular knitting|weave|
Fabric inspection|验布|fabric inspection machine;验布机|weave dye qa|
Dyeing and finishing|印染|dyeing;染整;印染工|dye|
Colour matching|配色打样|color matching;配色;打色|dye|
Textile printing|纺织品印花|textile printing;印花;数码印花|dye|
Nonwoven production|无纺布生产|nonwoven;熔喷;spunbond|fibre|
Industrial sewing|工业缝纫|sewing machine operation;缝纫机操作;缝纫|sew|踩缝纫机
Garment pattern making|服装制版|pattern making;打版;制版|sew draw|
Garment cutting|服装裁剪|fabric cutting;裁剪;CAD排料|sew|
Garment quality inspection|服装质检|garment QC;查货;服装检验|sew qa|
Garment pressing and finishing|服装整烫|pressing;整烫;后整理|sew|
Live-stream e-commerce operation|直播电商运营|live commerce;直播带货;电商运营|ecom|
E-commerce customer service|电商客服|online customer service;客服|ecom|
Order fulfillment|订单履约|e-commerce fulfillment;拣货;打包发货|ecom logi|
"""
