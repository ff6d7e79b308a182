#include "assistant/words.h"

#include <array>
#include <vector>

namespace millet::assistant {

std::string_view attribute_name(Attribute attribute) {
  switch (attribute) {
    case Attribute::kNone: return "";
    case Attribute::kBrightness: return "brightness";
    case Attribute::kColor: return "color";
    case Attribute::kColorTemperature: return "color_temperature";
    case Attribute::kTemperature: return "temperature";
    case Attribute::kTargetTemperature: return "target_temperature";
    case Attribute::kHumidity: return "humidity";
    case Attribute::kMode: return "mode";
    case Attribute::kFanSpeed: return "fan_speed";
    case Attribute::kPosition: return "position";
    case Attribute::kVolume: return "volume";
    case Attribute::kBattery: return "battery";
    case Attribute::kPm25: return "pm25";
    case Attribute::kAirQuality: return "air_quality";
    case Attribute::kPower: return "power";
    case Attribute::kStatus: return "status";
    case Attribute::kOnline: return "online";
  }
  return "";
}

namespace {

constexpr int A(Attribute attribute) { return static_cast<int>(attribute); }

// Index of each category in kCategories, for the word table.
enum CategoryIndex : int {
  kLight, kFan, kAirConditioner, kCurtain, kBlind, kGarageDoor, kLockCategory, kTv, kSpeaker, kVacuum,
  kWasher, kDryer, kDishwasher, kOven, kKettle, kFridge, kHeater, kThermostat, kHumidifier, kDehumidifier,
  kPurifier, kWaterHeater, kPlug, kSwitch, kValve, kCharger, kSensor, kCamera, kDoorbell, kWindowCover,
};

constexpr Word kWords[] = {
    // --- fillers -------------------------------------------------------------
    {"the", Cue::kFiller}, {"a", Cue::kFiller}, {"an", Cue::kFiller}, {"please", Cue::kFiller},
    {"pls", Cue::kFiller}, {"can you", Cue::kRequest}, {"could you", Cue::kRequest}, {"would you", Cue::kRequest},
    {"will you", Cue::kRequest}, {"i want", Cue::kFiller}, {"i'd like", Cue::kFiller}, {"i would like", Cue::kFiller},
    {"i want you to", Cue::kFiller}, {"let's", Cue::kFiller}, {"lets", Cue::kFiller}, {"hey", Cue::kFiller},
    {"now", Cue::kFiller}, {"right now", Cue::kFiller}, {"just", Cue::kFiller}, {"for me", Cue::kFiller},
    {"thanks", Cue::kFiller}, {"thank you", Cue::kFiller}, {"my", Cue::kFiller}, {"our", Cue::kFiller},
    {"of", Cue::kFiller}, {"in", Cue::kIn}, {"at", Cue::kFiller}, {"room", Cue::kFiller},
    {"go ahead and", Cue::kFiller}, {"quickly", Cue::kFiller}, {"again", Cue::kFiller}, {"and", Cue::kFiller},
    {"then", Cue::kFiller}, {"to be", Cue::kFiller}, {"currently", Cue::kFiller}, {"right", Cue::kFiller},
    {"there", Cue::kFiller}, {"you", Cue::kFiller}, {"me", Cue::kFiller}, {"tell me", Cue::kQuestion},
    {"do", Cue::kFiller}, {"need", Cue::kFiller}, {"i need", Cue::kFiller}, {"some", Cue::kFiller},
    {"device", Cue::kFiller}, {"devices", Cue::kFiller, 0, true}, {"get", Cue::kFiller}, {"would", Cue::kFiller},
    {"for", Cue::kFiller}, {"with", Cue::kFiller}, {"from", Cue::kFiller}, {"so", Cue::kFiller},
    {"ok so", Cue::kFiller}, {"kindly", Cue::kFiller}, {"it's", Cue::kFiller}, {"its", Cue::kFiller},
    {"请", Cue::kFiller}, {"帮我", Cue::kFiller}, {"帮忙", Cue::kFiller}, {"给我", Cue::kFiller}, {"麻烦", Cue::kFiller},
    {"把", Cue::kFiller}, {"将", Cue::kFiller}, {"一下", Cue::kFiller}, {"下", Cue::kFiller}, {"的", Cue::kFiller},
    {"吧", Cue::kFiller}, {"啊", Cue::kFiller}, {"呀", Cue::kFiller}, {"呢", Cue::kFiller}, {"了", Cue::kFiller},
    {"我", Cue::kFiller}, {"我想", Cue::kFiller}, {"我要", Cue::kFiller}, {"想", Cue::kFiller}, {"要", Cue::kFiller},
    {"能不能", Cue::kRequest}, {"能", Cue::kRequest}, {"可不可以", Cue::kRequest}, {"你", Cue::kFiller},
    {"小爱", Cue::kFiller}, {"小爱同学", Cue::kFiller}, {"在", Cue::kFiller}, {"里", Cue::kFiller},
    {"里面", Cue::kFiller}, {"中", Cue::kFiller}, {"个", Cue::kFiller}, {"现在", Cue::kFiller},
    {"马上", Cue::kFiller}, {"立刻", Cue::kFiller}, {"给", Cue::kFiller}, {"让", Cue::kFiller}, {"一起", Cue::kFiller},
    {"和", Cue::kFiller}, {"跟", Cue::kFiller}, {"以及", Cue::kFiller}, {"谢谢", Cue::kFiller}, {"然后", Cue::kFiller},
    {"家", Cue::kFiller}, {"家里", Cue::kFiller}, {"屋里", Cue::kFiller}, {"设备", Cue::kFiller}, {"得", Cue::kFiller},
    {"是", Cue::kFiller}, {"还是", Cue::kFiller}, {"着", Cue::kFiller}, {"嘛", Cue::kFiller}, {"哦", Cue::kFiller},
    {"来", Cue::kFiller}, {"去", Cue::kFiller}, {"那", Cue::kFiller}, {"就", Cue::kFiller}, {"先", Cue::kFiller},
    {"给我把", Cue::kFiller}, {"都给", Cue::kAll}, {"当前", Cue::kFiller}, {"目前", Cue::kFiller},
    {"请你", Cue::kFiller}, {"赶紧", Cue::kFiller}, {"快", Cue::kFiller}, {"吧。", Cue::kFiller},

    // --- power -------------------------------------------------------------------
    {"turn on", Cue::kOn}, {"switch on", Cue::kOn}, {"power on", Cue::kOn}, {"on", Cue::kOn},
    {"put on", Cue::kOn}, {"enable", Cue::kOn}, {"fire up", Cue::kOn}, {"light up", Cue::kOn},
    {"start up", Cue::kOn}, {"boot up", Cue::kOn}, {"power up", Cue::kOn}, {"switch", Cue::kFiller},
    {"turn", Cue::kFiller}, {"put", Cue::kSet}, {"get on", Cue::kOn},
    {"turn off", Cue::kOff}, {"switch off", Cue::kOff}, {"power off", Cue::kOff}, {"off", Cue::kOff},
    {"shut off", Cue::kOff}, {"shut down", Cue::kOff}, {"kill", Cue::kOff}, {"disable", Cue::kOff},
    {"cut", Cue::kOff}, {"power down", Cue::kOff}, {"turn out", Cue::kOff}, {"out", Cue::kOff},
    {"打开", Cue::kOn}, {"开", Cue::kOn}, {"开启", Cue::kOn}, {"开开", Cue::kOn}, {"点亮", Cue::kOn},
    {"亮起", Cue::kOn}, {"通电", Cue::kOn}, {"开一下", Cue::kOn}, {"启用", Cue::kOn},
    {"关", Cue::kOff}, {"关掉", Cue::kOff}, {"关闭", Cue::kOff}, {"关了", Cue::kOff}, {"熄灭", Cue::kOff},
    {"熄", Cue::kOff}, {"灭", Cue::kOff}, {"断电", Cue::kOff}, {"关一下", Cue::kOff}, {"停用", Cue::kOff},
    {"关上", Cue::kClose},

    // --- open, close, lock ---------------------------------------------------------
    {"open", Cue::kOpen}, {"open up", Cue::kOpen}, {"draw back", Cue::kOpen},
    {"close", Cue::kClose}, {"shut", Cue::kClose}, {"draw", Cue::kClose}, {"lower", Cue::kDown},
    {"拉开", Cue::kOpen}, {"拉上", Cue::kClose}, {"合上", Cue::kClose}, {"闭合", Cue::kClose},
    {"升起", Cue::kOpen}, {"收起", Cue::kOpen}, {"放下", Cue::kClose}, {"降下", Cue::kClose},
    {"lock", Cue::kLock}, {"lock up", Cue::kLock}, {"secure", Cue::kLock}, {"bolt", Cue::kLock},
    {"unlock", Cue::kUnlock}, {"unbolt", Cue::kUnlock},
    {"锁", Cue::kLock}, {"锁上", Cue::kLock}, {"锁好", Cue::kLock}, {"上锁", Cue::kLock}, {"反锁", Cue::kLock},
    {"锁门", Cue::kLock}, {"门锁上", Cue::kLock}, {"开锁", Cue::kUnlock}, {"解锁", Cue::kUnlock}, {"开门", Cue::kUnlock},

    // --- appliances ------------------------------------------------------------------
    {"start", Cue::kStart}, {"begin", Cue::kStart}, {"resume", Cue::kStart}, {"clean", Cue::kStart},
    {"start cleaning", Cue::kStart}, {"vacuum the", Cue::kStart}, {"boil", Cue::kStart}, {"boil water", Cue::kStart},
    {"start charging", Cue::kStart}, {"charge the car", Cue::kStart}, {"play", Cue::kStart}, {"play music", Cue::kStart},
    {"kick off", Cue::kStart}, {"do the dishes", Cue::kStart}, {"do the laundry", Cue::kStart},
    {"pause", Cue::kPause}, {"hold", Cue::kPause},
    {"stop", Cue::kStop}, {"halt", Cue::kStop}, {"end", Cue::kStop}, {"stop charging", Cue::kStop},
    {"stop cleaning", Cue::kStop}, {"abort", Cue::kStop}, {"stop playing", Cue::kStop},
    {"dock", Cue::kDock}, {"go home", Cue::kDock}, {"return to the dock", Cue::kDock}, {"return to dock", Cue::kDock},
    {"return to base", Cue::kDock}, {"go back to the dock", Cue::kDock}, {"go back to its dock", Cue::kDock},
    {"send back to the dock", Cue::kDock}, {"back to the dock", Cue::kDock}, {"to the dock", Cue::kDock},
    {"go charge", Cue::kDock}, {"go and charge", Cue::kDock}, {"recharge", Cue::kDock}, {"return home", Cue::kDock},
    {"go back to charge", Cue::kDock}, {"send home", Cue::kDock}, {"back to base", Cue::kDock},
    {"return", Cue::kDock}, {"its dock", Cue::kDock}, {"base", Cue::kDock}, {"charging dock", Cue::kDock},
    {"开始", Cue::kStart}, {"启动", Cue::kStart}, {"运行", Cue::kStart}, {"扫地", Cue::kStart}, {"打扫", Cue::kStart},
    {"清扫", Cue::kStart}, {"开始扫地", Cue::kStart}, {"开始打扫", Cue::kStart}, {"开始清扫", Cue::kStart},
    {"扫一下", Cue::kStart}, {"拖地", Cue::kStart}, {"烧水", Cue::kStart}, {"烧壶水", Cue::kStart}, {"烧开水", Cue::kStart},
    {"充电", Cue::kStart}, {"开始充电", Cue::kStart}, {"播放", Cue::kStart}, {"放音乐", Cue::kStart},
    {"继续", Cue::kStart}, {"洗衣服", Cue::kStart}, {"洗碗", Cue::kStart}, {"开始洗", Cue::kStart},
    {"暂停", Cue::kPause}, {"停一下", Cue::kPause}, {"先停一下", Cue::kPause},
    {"停止", Cue::kStop}, {"停下", Cue::kStop}, {"停", Cue::kStop}, {"结束", Cue::kStop}, {"停止充电", Cue::kStop},
    {"别扫了", Cue::kStop}, {"停止扫地", Cue::kStop}, {"停止播放", Cue::kStop}, {"停掉", Cue::kStop},
    {"回充", Cue::kDock}, {"回去充电", Cue::kDock}, {"回充电座", Cue::kDock}, {"回到充电座", Cue::kDock},
    {"回基座", Cue::kDock}, {"回去", Cue::kDock}, {"回家充电", Cue::kDock}, {"回座充", Cue::kDock}, {"返回充电", Cue::kDock},
    {"回到基座", Cue::kDock}, {"回桩", Cue::kDock}, {"回来充电", Cue::kDock}, {"回充电桩", Cue::kDock},

    // --- scenes ----------------------------------------------------------------------
    {"run", Cue::kRun}, {"activate", Cue::kRun}, {"trigger", Cue::kRun}, {"execute", Cue::kRun},
    {"set the scene", Cue::kRun}, {"go to", Cue::kRun},
    {"scene", Cue::kSceneWord}, {"routine", Cue::kSceneWord}, {"scene mode", Cue::kSceneWord},
    {"执行", Cue::kRun}, {"切换到", Cue::kRun}, {"进入", Cue::kRun}, {"激活", Cue::kRun}, {"场景", Cue::kSceneWord},

    // --- setting values -----------------------------------------------------------------
    {"set", Cue::kSet}, {"make", Cue::kSet}, {"change", Cue::kSet}, {"adjust", Cue::kSet}, {"put it", Cue::kSet},
    {"turn it to", Cue::kSet}, {"bring", Cue::kSet}, {"move", Cue::kSet}, {"dim to", Cue::kSet},
    {"to", Cue::kTo}, {"at", Cue::kTo}, {"by", Cue::kBy},
    {"调", Cue::kSet}, {"调到", Cue::kSet}, {"调成", Cue::kSet}, {"调为", Cue::kSet}, {"调整", Cue::kSet},
    {"调整到", Cue::kSet}, {"设置", Cue::kSet}, {"设置成", Cue::kSet}, {"设置为", Cue::kSet}, {"设为", Cue::kSet},
    {"设成", Cue::kSet}, {"设定", Cue::kSet}, {"设到", Cue::kSet}, {"改成", Cue::kSet}, {"改为", Cue::kSet},
    {"改到", Cue::kSet}, {"换成", Cue::kSet}, {"变成", Cue::kSet}, {"切换成", Cue::kSet}, {"开到", Cue::kSet},
    {"到", Cue::kTo}, {"成", Cue::kTo}, {"为", Cue::kTo},
    {"increase", Cue::kUp}, {"turn up", Cue::kUp}, {"up", Cue::kUp}, {"higher", Cue::kUp}, {"raise", Cue::kUp},
    {"boost", Cue::kUp}, {"bump up", Cue::kUp}, {"crank up", Cue::kUp}, {"more", Cue::kMore},
    {"decrease", Cue::kDown}, {"turn down", Cue::kDown}, {"down", Cue::kDown}, {"reduce", Cue::kDown},
    {"drop", Cue::kDown}, {"less", Cue::kDown}, {"bring down", Cue::kDown},
    {"brighter", Cue::kUp, A(Attribute::kBrightness)}, {"brighten", Cue::kUp, A(Attribute::kBrightness)},
    {"lighter", Cue::kUp, A(Attribute::kBrightness)},
    {"dimmer", Cue::kDown, A(Attribute::kBrightness)}, {"dim", Cue::kDown, A(Attribute::kBrightness)},
    {"darker", Cue::kDown, A(Attribute::kBrightness)}, {"dim down", Cue::kDown, A(Attribute::kBrightness)},
    {"louder", Cue::kUp, A(Attribute::kVolume)}, {"quieter", Cue::kDown, A(Attribute::kVolume)},
    {"softer", Cue::kDown, A(Attribute::kVolume)}, {"turn the volume up", Cue::kUp, A(Attribute::kVolume)},
    {"warmer", Cue::kUp, A(Attribute::kTemperature)}, {"hotter", Cue::kUp, A(Attribute::kTemperature)},
    {"cooler", Cue::kDown, A(Attribute::kTemperature)}, {"colder", Cue::kDown, A(Attribute::kTemperature)},
    {"faster", Cue::kUp, A(Attribute::kFanSpeed)}, {"slower", Cue::kDown, A(Attribute::kFanSpeed)},
    {"a bit", Cue::kBit}, {"a little", Cue::kBit}, {"a little bit", Cue::kBit}, {"slightly", Cue::kBit},
    {"a touch", Cue::kBit}, {"bit", Cue::kBit}, {"little", Cue::kBit}, {"a tad", Cue::kBit},
    {"a lot", Cue::kLot}, {"much", Cue::kLot}, {"way", Cue::kLot}, {"a lot more", Cue::kLot}, {"lots", Cue::kLot},
    {"调高", Cue::kUp}, {"升高", Cue::kUp}, {"提高", Cue::kUp}, {"加大", Cue::kUp}, {"调大", Cue::kUp},
    {"增加", Cue::kUp}, {"高", Cue::kUp}, {"大", Cue::kUp}, {"加", Cue::kUp}, {"升", Cue::kUp}, {"上调", Cue::kUp},
    {"调低", Cue::kDown}, {"降低", Cue::kDown}, {"减小", Cue::kDown}, {"调小", Cue::kDown}, {"减少", Cue::kDown},
    {"低", Cue::kDown}, {"小", Cue::kDown}, {"减", Cue::kDown}, {"降", Cue::kDown}, {"下调", Cue::kDown},
    {"亮", Cue::kUp, A(Attribute::kBrightness)}, {"调亮", Cue::kUp, A(Attribute::kBrightness)},
    {"暗", Cue::kDown, A(Attribute::kBrightness)}, {"调暗", Cue::kDown, A(Attribute::kBrightness)},
    {"大声", Cue::kUp, A(Attribute::kVolume)}, {"小声", Cue::kDown, A(Attribute::kVolume)},
    {"热", Cue::kUp, A(Attribute::kTemperature)}, {"暖和", Cue::kUp, A(Attribute::kTemperature)},
    {"冷", Cue::kDown, A(Attribute::kTemperature)}, {"凉", Cue::kDown, A(Attribute::kTemperature)},
    {"凉快", Cue::kDown, A(Attribute::kTemperature)},
    {"快", Cue::kUp, A(Attribute::kFanSpeed)}, {"慢", Cue::kDown, A(Attribute::kFanSpeed)},
    {"一点", Cue::kBit}, {"一点点", Cue::kBit}, {"一些", Cue::kBit}, {"点", Cue::kBit}, {"些", Cue::kBit},
    {"稍微", Cue::kBit}, {"多", Cue::kLot}, {"很多", Cue::kLot}, {"多一点", Cue::kLot}, {"再", Cue::kMore},
    {"还", Cue::kMore}, {"更", Cue::kMore},

    // --- attributes -------------------------------------------------------------------------
    {"brightness", Cue::kAttribute, A(Attribute::kBrightness)}, {"亮度", Cue::kAttribute, A(Attribute::kBrightness)},
    {"brightness level", Cue::kAttribute, A(Attribute::kBrightness)},
    {"color", Cue::kAttribute, A(Attribute::kColor)}, {"colour", Cue::kAttribute, A(Attribute::kColor)},
    {"颜色", Cue::kAttribute, A(Attribute::kColor)}, {"灯光颜色", Cue::kAttribute, A(Attribute::kColor)},
    {"color temperature", Cue::kAttribute, A(Attribute::kColorTemperature)},
    {"colour temperature", Cue::kAttribute, A(Attribute::kColorTemperature)},
    {"color temp", Cue::kAttribute, A(Attribute::kColorTemperature)},
    {"colour temp", Cue::kAttribute, A(Attribute::kColorTemperature)},
    {"white balance", Cue::kAttribute, A(Attribute::kColorTemperature)},
    {"色温", Cue::kAttribute, A(Attribute::kColorTemperature)},
    {"temperature", Cue::kAttribute, A(Attribute::kTemperature)}, {"temp", Cue::kAttribute, A(Attribute::kTemperature)},
    {"heat", Cue::kAttribute, A(Attribute::kTemperature)}, {"thermostat setting", Cue::kAttribute, A(Attribute::kTargetTemperature)},
    {"温度", Cue::kAttribute, A(Attribute::kTemperature)}, {"室温", Cue::kAttribute, A(Attribute::kTemperature)},
    {"气温", Cue::kAttribute, A(Attribute::kTemperature)}, {"水温", Cue::kAttribute, A(Attribute::kTemperature)},
    {"几度", Cue::kAttribute, A(Attribute::kTemperature)}, {"多少度", Cue::kAttribute, A(Attribute::kTemperature)},
    {"how warm", Cue::kAttribute, A(Attribute::kTemperature)}, {"how hot", Cue::kAttribute, A(Attribute::kTemperature)},
    {"how cold", Cue::kAttribute, A(Attribute::kTemperature)},
    {"target temperature", Cue::kAttribute, A(Attribute::kTargetTemperature)},
    {"set temperature", Cue::kAttribute, A(Attribute::kTargetTemperature)},
    {"设定温度", Cue::kAttribute, A(Attribute::kTargetTemperature)}, {"目标温度", Cue::kAttribute, A(Attribute::kTargetTemperature)},
    {"humidity", Cue::kAttribute, A(Attribute::kHumidity)}, {"how humid", Cue::kAttribute, A(Attribute::kHumidity)},
    {"湿度", Cue::kAttribute, A(Attribute::kHumidity)}, {"目标湿度", Cue::kAttribute, A(Attribute::kHumidity)},
    {"mode", Cue::kAttribute, A(Attribute::kMode)}, {"模式", Cue::kAttribute, A(Attribute::kMode)},
    {"fan speed", Cue::kAttribute, A(Attribute::kFanSpeed)}, {"speed", Cue::kAttribute, A(Attribute::kFanSpeed)},
    {"fan level", Cue::kAttribute, A(Attribute::kFanSpeed)}, {"wind speed", Cue::kAttribute, A(Attribute::kFanSpeed)},
    {"airflow", Cue::kAttribute, A(Attribute::kFanSpeed)}, {"风速", Cue::kAttribute, A(Attribute::kFanSpeed)},
    {"风量", Cue::kAttribute, A(Attribute::kFanSpeed)}, {"档位", Cue::kAttribute, A(Attribute::kFanSpeed)},
    {"风力", Cue::kAttribute, A(Attribute::kFanSpeed)}, {"转速", Cue::kAttribute, A(Attribute::kFanSpeed)},
    {"position", Cue::kAttribute, A(Attribute::kPosition)}, {"位置", Cue::kAttribute, A(Attribute::kPosition)},
    {"开合度", Cue::kAttribute, A(Attribute::kPosition)}, {"开度", Cue::kAttribute, A(Attribute::kPosition)},
    {"volume", Cue::kAttribute, A(Attribute::kVolume)}, {"sound", Cue::kAttribute, A(Attribute::kVolume)},
    {"音量", Cue::kAttribute, A(Attribute::kVolume)}, {"声音", Cue::kAttribute, A(Attribute::kVolume)},
    {"battery", Cue::kAttribute, A(Attribute::kBattery)}, {"battery level", Cue::kAttribute, A(Attribute::kBattery)},
    {"电量", Cue::kAttribute, A(Attribute::kBattery)}, {"电池", Cue::kAttribute, A(Attribute::kBattery)},
    {"pm2.5", Cue::kAttribute, A(Attribute::kPm25)}, {"pm25", Cue::kAttribute, A(Attribute::kPm25)},
    {"pm 2.5", Cue::kAttribute, A(Attribute::kPm25)},
    {"air quality", Cue::kAttribute, A(Attribute::kAirQuality)}, {"空气质量", Cue::kAttribute, A(Attribute::kAirQuality)},
    {"power consumption", Cue::kAttribute, A(Attribute::kPower)}, {"power draw", Cue::kAttribute, A(Attribute::kPower)},
    {"how much power", Cue::kAttribute, A(Attribute::kPower)}, {"watts", Cue::kAttribute, A(Attribute::kPower)},
    {"功率", Cue::kAttribute, A(Attribute::kPower)}, {"耗电", Cue::kAttribute, A(Attribute::kPower)},
    {"status", Cue::kAttribute, A(Attribute::kStatus)}, {"state", Cue::kAttribute, A(Attribute::kStatus)},
    {"doing", Cue::kAttribute, A(Attribute::kStatus)}, {"状态", Cue::kAttribute, A(Attribute::kStatus)},
    {"怎么样", Cue::kAttribute, A(Attribute::kStatus)}, {"在干什么", Cue::kAttribute, A(Attribute::kStatus)},
    {"在干嘛", Cue::kAttribute, A(Attribute::kStatus)}, {"online", Cue::kAttribute, A(Attribute::kOnline)},
    {"在线", Cue::kAttribute, A(Attribute::kOnline)},

    // --- colour temperature words ---------------------------------------------------------------
    {"warm", Cue::kWarm}, {"warm white", Cue::kWarm}, {"warm light", Cue::kWarm}, {"soft white", Cue::kWarm},
    {"cool", Cue::kCool}, {"cool white", Cue::kCool}, {"cold white", Cue::kCool}, {"cold light", Cue::kCool},
    {"daylight white", Cue::kCool}, {"cool light", Cue::kCool},
    {"暖光", Cue::kWarm}, {"暖白", Cue::kWarm}, {"暖色", Cue::kWarm}, {"暖黄", Cue::kWarm},
    {"冷光", Cue::kCool}, {"冷白", Cue::kCool}, {"冷色", Cue::kCool}, {"白光", Cue::kCool},
    {"neutral", Cue::kWarm, 1}, {"neutral white", Cue::kWarm, 1}, {"中性光", Cue::kWarm, 1}, {"自然光", Cue::kWarm, 1},

    // --- units ------------------------------------------------------------------------------------
    {"%", Cue::kPercent}, {"percent", Cue::kPercent}, {"per cent", Cue::kPercent}, {"pct", Cue::kPercent},
    {"百分之", Cue::kPercent},
    {"degrees", Cue::kDegree}, {"degree", Cue::kDegree}, {"°", Cue::kDegree}, {"°c", Cue::kDegree},
    {"celsius", Cue::kDegree}, {"degrees celsius", Cue::kDegree}, {"c", Cue::kDegree}, {"度", Cue::kDegree},
    {"摄氏度", Cue::kDegree}, {"k", Cue::kKelvin}, {"kelvin", Cue::kKelvin}, {"开尔文", Cue::kKelvin},
    {"second", Cue::kSecond}, {"seconds", Cue::kSecond}, {"sec", Cue::kSecond}, {"secs", Cue::kSecond},
    {"s", Cue::kSecond}, {"minute", Cue::kMinute}, {"minutes", Cue::kMinute}, {"min", Cue::kMinute},
    {"mins", Cue::kMinute}, {"m", Cue::kMinute}, {"hour", Cue::kHour}, {"hours", Cue::kHour}, {"hr", Cue::kHour},
    {"hrs", Cue::kHour}, {"h", Cue::kHour},
    {"秒", Cue::kSecond}, {"秒钟", Cue::kSecond}, {"分钟", Cue::kMinute}, {"分", Cue::kMinute},
    {"小时", Cue::kHour}, {"钟头", Cue::kHour}, {"个小时", Cue::kHour}, {"个钟头", Cue::kHour},
    {"half", Cue::kHalf}, {"halfway", Cue::kHalf}, {"half way", Cue::kHalf}, {"and a half", Cue::kHalf},
    {"半", Cue::kHalf}, {"一半", Cue::kHalf}, {"quarter", Cue::kQuarter}, {"a quarter", Cue::kQuarter},
    {"刻钟", Cue::kQuarter},
    {"after", Cue::kIn}, {"later", Cue::kLater}, {"from now", Cue::kLater}, {"time", Cue::kFiller},
    {"过", Cue::kIn}, {"后", Cue::kLater}, {"以后", Cue::kLater}, {"之后", Cue::kLater}, {"过后", Cue::kLater},
    {"timer", Cue::kTimer}, {"timers", Cue::kTimer}, {"schedule", Cue::kTimer}, {"countdown", Cue::kTimer},
    {"定时", Cue::kTimer}, {"计时", Cue::kTimer}, {"倒计时", Cue::kTimer}, {"定时任务", Cue::kTimer},
    {"cancel", Cue::kCancel}, {"取消", Cue::kCancel}, {"forget", Cue::kCancel}, {"delete", Cue::kCancel},
    {"remove", Cue::kCancel}, {"clear", Cue::kCancel}, {"不要", Cue::kNo}, {"撤销", Cue::kCancel},

    // --- quantity, reference ------------------------------------------------------------------------
    {"all", Cue::kAll}, {"all the", Cue::kAll}, {"all of the", Cue::kAll}, {"every", Cue::kAll}, {"each", Cue::kAll},
    {"所有", Cue::kAll}, {"全部", Cue::kAll}, {"全", Cue::kAll}, {"都", Cue::kAll}, {"所有的", Cue::kAll},
    {"每个", Cue::kAll}, {"整个", Cue::kAll}, {"全都", Cue::kAll}, {"统统", Cue::kAll},
    {"everything", Cue::kEverything}, {"all devices", Cue::kEverything}, {"全部设备", Cue::kEverything},
    {"所有设备", Cue::kEverything}, {"所有电器", Cue::kEverything},
    {"here", Cue::kHere}, {"in here", Cue::kHere}, {"this room", Cue::kHere}, {"这里", Cue::kHere},
    {"这儿", Cue::kHere}, {"这个房间", Cue::kHere}, {"这边", Cue::kHere}, {"这屋", Cue::kHere},
    {"it", Cue::kPronoun}, {"them", Cue::kPronoun, 0, true}, {"that", Cue::kPronoun}, {"those", Cue::kPronoun, 0, true},
    {"this", Cue::kPronoun}, {"these", Cue::kPronoun, 0, true}, {"they", Cue::kPronoun, 0, true},
    {"它", Cue::kPronoun}, {"它们", Cue::kPronoun, 0, true}, {"这个", Cue::kPronoun}, {"那个", Cue::kOne},
    {"too", Cue::kToo}, {"also", Cue::kToo}, {"as well", Cue::kToo}, {"and the", Cue::kToo}, {"what about", Cue::kToo},
    {"how about", Cue::kToo}, {"same for", Cue::kToo}, {"same with", Cue::kToo}, {"same", Cue::kToo},
    {"也", Cue::kToo}, {"还有", Cue::kToo}, {"同样", Cue::kToo}, {"也是", Cue::kToo}, {"一样", Cue::kToo},

    // --- questions ----------------------------------------------------------------------------------------
    {"what", Cue::kQuestion}, {"whats", Cue::kQuestion}, {"what is", Cue::kQuestion}, {"how", Cue::kQuestion},
    {"is", Cue::kQuestion}, {"are", Cue::kQuestion}, {"did", Cue::kQuestion}, {"does", Cue::kQuestion},
    {"check", Cue::kQuestion}, {"?", Cue::kQuestion}, {"how much", Cue::kQuestion}, {"show me", Cue::kQuestion},
    {"is it", Cue::kQuestion}, {"whether", Cue::kQuestion}, {"how's", Cue::kQuestion}, {"hows", Cue::kQuestion},
    {"吗", Cue::kQuestion}, {"么", Cue::kQuestion}, {"多少", Cue::kQuestion}, {"几", Cue::kQuestion},
    {"是否", Cue::kQuestion}, {"是不是", Cue::kQuestion}, {"什么", Cue::kQuestion}, {"查一下", Cue::kQuestion},
    {"看看", Cue::kQuestion}, {"如何", Cue::kQuestion}, {"看一下", Cue::kQuestion}, {"告诉我", Cue::kQuestion},
    {"没有", Cue::kNot}, {"没", Cue::kNot}, {"不", Cue::kNot}, {"not", Cue::kNot}, {"isnt", Cue::kNot},
    {"arent", Cue::kNot}, {"still", Cue::kFiller},
    {"which", Cue::kWhich}, {"哪些", Cue::kWhich}, {"哪个", Cue::kWhich},
    {"哪几个", Cue::kWhich}, {"哪里", Cue::kWhich}, {"any", Cue::kAny}, {"anything", Cue::kAny},
    {"有没有", Cue::kAny}, {"有", Cue::kAny}, {"还有没有", Cue::kAny}, {"有哪些", Cue::kWhich},
    {"left on", Cue::kStateOn}, {"still on", Cue::kStateOn}, {"开着", Cue::kStateOn}, {"亮着", Cue::kStateOn},
    {"开着的", Cue::kStateOn}, {"在开", Cue::kStateOn}, {"关着", Cue::kStateOff}, {"关着的", Cue::kStateOff},
    {"left open", Cue::kStateOpen}, {"锁了", Cue::kStateLocked}, {"锁着", Cue::kStateLocked},
    {"锁好了", Cue::kStateLocked}, {"锁上了", Cue::kStateLocked}, {"locked", Cue::kStateLocked},
    {"unlocked", Cue::kStateUnlocked}, {"opened", Cue::kStateOpen}, {"closed", Cue::kStateClosed},
    {"没锁", Cue::kStateUnlocked}, {"没关", Cue::kStateOn}, {"没有关", Cue::kStateOn}, {"没有锁", Cue::kStateUnlocked},

    // --- answers --------------------------------------------------------------------------------------------
    {"yes", Cue::kYes}, {"yeah", Cue::kYes}, {"yep", Cue::kYes}, {"yup", Cue::kYes}, {"sure", Cue::kYes},
    {"ok", Cue::kYes}, {"okay", Cue::kYes}, {"confirm", Cue::kYes}, {"confirmed", Cue::kYes}, {"do it", Cue::kYes},
    {"go ahead", Cue::kYes}, {"please do", Cue::kYes}, {"yes please", Cue::kYes}, {"correct", Cue::kYes},
    {"affirmative", Cue::kYes}, {"i'm sure", Cue::kYes}, {"im sure", Cue::kYes},
    {"是的", Cue::kYes}, {"好", Cue::kYes}, {"好的", Cue::kYes}, {"确认", Cue::kYes}, {"确定", Cue::kYes},
    {"可以", Cue::kYes}, {"可以帮我", Cue::kRequest}, {"你能", Cue::kRequest}, {"能否", Cue::kRequest},
    {"能帮我", Cue::kRequest}, {"can i", Cue::kRequest}, {"could i", Cue::kRequest}, {"对", Cue::kYes}, {"嗯", Cue::kYes}, {"行", Cue::kYes}, {"没问题", Cue::kYes},
    {"对的", Cue::kYes},     {"no", Cue::kNo}, {"nope", Cue::kNo}, {"don't", Cue::kNo}, {"dont", Cue::kNo}, {"never mind", Cue::kNo},
    {"nevermind", Cue::kNo}, {"no thanks", Cue::kNo}, {"forget it", Cue::kNo}, {"leave it", Cue::kNo},
    {"不用", Cue::kNo}, {"不用了", Cue::kNo}, {"算了", Cue::kNo}, {"不要了", Cue::kNo},
    {"先不", Cue::kNo},
    {"both", Cue::kBoth}, {"both of them", Cue::kBoth}, {"all of them", Cue::kBoth}, {"either", Cue::kBoth},
    {"都要", Cue::kBoth}, {"两个都", Cue::kBoth}, {"两个都要", Cue::kBoth}, {"全部都要", Cue::kBoth},
    {"one", Cue::kOne}, {"ones", Cue::kOne, 0, true}, {"那个", Cue::kOne}, {"那盏", Cue::kOne}, {"那台", Cue::kOne},
    {"这盏", Cue::kOne}, {"first", Cue::kFirst, 1}, {"third", Cue::kFirst, 3},
    {"第一个", Cue::kFirst, 1}, {"第二个", Cue::kFirst, 2}, {"第三个", Cue::kFirst, 3},

    // --- numbers as words ---------------------------------------------------------------------------------------
    {"zero", Cue::kNumberWord, 0}, {"one", Cue::kNumberWord, 1}, {"two", Cue::kNumberWord, 2},
    {"three", Cue::kNumberWord, 3}, {"four", Cue::kNumberWord, 4}, {"five", Cue::kNumberWord, 5},
    {"six", Cue::kNumberWord, 6}, {"seven", Cue::kNumberWord, 7}, {"eight", Cue::kNumberWord, 8},
    {"nine", Cue::kNumberWord, 9}, {"ten", Cue::kNumberWord, 10}, {"eleven", Cue::kNumberWord, 11},
    {"twelve", Cue::kNumberWord, 12}, {"thirteen", Cue::kNumberWord, 13}, {"fourteen", Cue::kNumberWord, 14},
    {"fifteen", Cue::kNumberWord, 15}, {"sixteen", Cue::kNumberWord, 16}, {"seventeen", Cue::kNumberWord, 17},
    {"eighteen", Cue::kNumberWord, 18}, {"nineteen", Cue::kNumberWord, 19}, {"twenty", Cue::kNumberWord, 20},
    {"thirty", Cue::kNumberWord, 30}, {"forty", Cue::kNumberWord, 40}, {"fifty", Cue::kNumberWord, 50},
    {"sixty", Cue::kNumberWord, 60}, {"seventy", Cue::kNumberWord, 70}, {"eighty", Cue::kNumberWord, 80},
    {"ninety", Cue::kNumberWord, 90}, {"hundred", Cue::kNumberWord, 100}, {"a hundred", Cue::kNumberWord, 100},
    {"one hundred", Cue::kNumberWord, 100}, {"a couple", Cue::kNumberWord, 2}, {"a couple of", Cue::kNumberWord, 2},
    {"couple of", Cue::kNumberWord, 2}, {"a few", Cue::kNumberWord, 3}, {"few", Cue::kNumberWord, 3},
    {"max", Cue::kNumberWord, -2}, {"maximum", Cue::kNumberWord, -2}, {"full", Cue::kNumberWord, -2},
    {"minimum", Cue::kNumberWord, -1}, {"最大", Cue::kNumberWord, -2}, {"最亮", Cue::kNumberWord, -2},
    {"最低", Cue::kNumberWord, -1}, {"最小", Cue::kNumberWord, -1}, {"最暗", Cue::kNumberWord, -1},
    {"最高", Cue::kNumberWord, -2},
    // --- said more than one way at once ------------------------------------------------------
    {"多少度", Cue::kQuestion}, {"几度", Cue::kQuestion}, {"how warm", Cue::kQuestion}, {"how hot", Cue::kQuestion},
    {"how cold", Cue::kQuestion}, {"how humid", Cue::kQuestion}, {"how bright", Cue::kQuestion},
    {"how bright", Cue::kAttribute, A(Attribute::kBrightness)}, {"how loud", Cue::kQuestion},
    {"how loud", Cue::kAttribute, A(Attribute::kVolume)}, {"how far open", Cue::kQuestion},
    {"how far open", Cue::kAttribute, A(Attribute::kPosition)}, {"how much battery", Cue::kQuestion},
    {"how much battery", Cue::kAttribute, A(Attribute::kBattery)},
    {"风", Cue::kAttribute, A(Attribute::kFanSpeed)}, {"档", Cue::kAttribute, A(Attribute::kFanSpeed)},
    {"暖", Cue::kUp, A(Attribute::kTemperature)}, {"调暖", Cue::kUp, A(Attribute::kTemperature)},
    {"upstairs", Cue::kFloorWord}, {"downstairs", Cue::kFloorWord}, {"楼上", Cue::kFloorWord},
    {"楼下", Cue::kFloorWord}, {"一楼", Cue::kFloorWord}, {"二楼", Cue::kFloorWord}, {"ground floor", Cue::kFloorWord},
    {"first floor", Cue::kFloorWord}, {"second floor", Cue::kFloorWord}, {"三楼", Cue::kFloorWord},
    {"vacuuming", Cue::kStart}, {"了没有", Cue::kQuestion}, {"了没", Cue::kQuestion},
    {"notch", Cue::kBit}, {"a notch", Cue::kBit}, {"one notch", Cue::kBit}, {"a step", Cue::kBit},
};

constexpr std::string_view kLightTypes[] = {"light", "ceiling-fan-light"};
constexpr std::string_view kLightNames[] = {"light", "lights", "lamp", "lamps", "灯"};
constexpr std::string_view kFanTypes[] = {"fan", "ceiling-fan-light"};
constexpr std::string_view kFanNames[] = {"fan", "风扇"};
constexpr std::string_view kAcTypes[] = {"air-conditioner"};
constexpr std::string_view kAcNames[] = {"ac", "air conditioner", "空调"};
constexpr std::string_view kCurtainTypes[] = {"curtain"};
constexpr std::string_view kCurtainNames[] = {"curtain", "窗帘"};
constexpr std::string_view kBlindTypes[] = {"blind"};
constexpr std::string_view kBlindNames[] = {"blind", "百叶窗"};
constexpr std::string_view kCoverTypes[] = {"curtain", "blind"};
constexpr std::string_view kGarageTypes[] = {"garage-door"};
constexpr std::string_view kGarageNames[] = {"garage door", "车库门"};
constexpr std::string_view kLockTypes[] = {"lock"};
constexpr std::string_view kLockNames[] = {"door", "lock", "门", "锁"};
constexpr std::string_view kTvTypes[] = {"tv"};
constexpr std::string_view kTvNames[] = {"tv", "电视"};
constexpr std::string_view kSpeakerTypes[] = {"speaker"};
constexpr std::string_view kSpeakerNames[] = {"speaker", "音箱"};
constexpr std::string_view kVacuumTypes[] = {"robot-vacuum"};
constexpr std::string_view kVacuumNames[] = {"vacuum", "扫地"};
constexpr std::string_view kWasherTypes[] = {"washer"};
constexpr std::string_view kWasherNames[] = {"washer", "washing machine", "洗衣机"};
constexpr std::string_view kDryerTypes[] = {"dryer"};
constexpr std::string_view kDryerNames[] = {"dryer", "烘干机", "干衣机"};
constexpr std::string_view kDishwasherTypes[] = {"dishwasher"};
constexpr std::string_view kOvenTypes[] = {"oven"};
constexpr std::string_view kKettleTypes[] = {"kettle"};
constexpr std::string_view kFridgeTypes[] = {"fridge"};
constexpr std::string_view kHeaterTypes[] = {"heater"};
constexpr std::string_view kHeaterNames[] = {"heater", "取暖器", "暖气"};
constexpr std::string_view kThermostatTypes[] = {"thermostat"};
constexpr std::string_view kHumidifierTypes[] = {"humidifier"};
constexpr std::string_view kDehumidifierTypes[] = {"dehumidifier"};
constexpr std::string_view kPurifierTypes[] = {"air-purifier", "water-purifier"};
constexpr std::string_view kWaterHeaterTypes[] = {"water-heater"};
constexpr std::string_view kPlugTypes[] = {"outlet"};
constexpr std::string_view kPlugNames[] = {"plug", "socket", "插座"};
constexpr std::string_view kSwitchTypes[] = {"switch", "two-gang-switch"};
constexpr std::string_view kValveTypes[] = {"valve"};
constexpr std::string_view kValveNames[] = {"valve", "阀"};
constexpr std::string_view kChargerTypes[] = {"ev-charger"};
constexpr std::string_view kSensorTypes[] = {"temperature-humidity-sensor", "air-quality-monitor", "motion-sensor",
                                             "contact-sensor", "illuminance-sensor", "water-leak-sensor",
                                             "smoke-sensor", "gas-sensor"};
constexpr std::string_view kSensorNames[] = {"sensor", "传感器"};
constexpr std::string_view kCameraTypes[] = {"camera"};
constexpr std::string_view kDoorbellTypes[] = {"doorbell"};

constexpr Category kCategories[] = {
    {"light", "light", "灯", kLightTypes, "light", kLightNames},
    {"fan", "fan", "风扇", kFanTypes, "fan-control", kFanNames},
    {"air-conditioner", "air conditioner", "空调", kAcTypes, "", kAcNames},
    {"curtain", "curtain", "窗帘", kCurtainTypes, "", kCurtainNames},
    {"blind", "blind", "百叶窗", kBlindTypes, "", kBlindNames},
    {"garage-door", "garage door", "车库门", kGarageTypes, "", kGarageNames},
    {"lock", "lock", "门锁", kLockTypes, "", kLockNames},
    {"tv", "TV", "电视", kTvTypes, "", kTvNames},
    {"speaker", "speaker", "音箱", kSpeakerTypes, "", kSpeakerNames},
    {"vacuum", "robot vacuum", "扫地机器人", kVacuumTypes, "", kVacuumNames},
    {"washer", "washer", "洗衣机", kWasherTypes, "", kWasherNames},
    {"dryer", "dryer", "烘干机", kDryerTypes, "", kDryerNames},
    {"dishwasher", "dishwasher", "洗碗机", kDishwasherTypes, "", std::span<const std::string_view>()},
    {"oven", "oven", "烤箱", kOvenTypes, "", std::span<const std::string_view>()},
    {"kettle", "kettle", "水壶", kKettleTypes, "", std::span<const std::string_view>()},
    {"fridge", "fridge", "冰箱", kFridgeTypes, "", std::span<const std::string_view>()},
    {"heater", "heater", "取暖器", kHeaterTypes, "", kHeaterNames},
    {"thermostat", "thermostat", "温控器", kThermostatTypes, "", std::span<const std::string_view>()},
    {"humidifier", "humidifier", "加湿器", kHumidifierTypes, "", std::span<const std::string_view>()},
    {"dehumidifier", "dehumidifier", "除湿机", kDehumidifierTypes, "", std::span<const std::string_view>()},
    {"purifier", "purifier", "净化器", kPurifierTypes, "", std::span<const std::string_view>()},
    {"water-heater", "water heater", "热水器", kWaterHeaterTypes, "", std::span<const std::string_view>()},
    {"plug", "plug", "插座", kPlugTypes, "", kPlugNames},
    {"switch", "switch", "开关", kSwitchTypes, "", std::span<const std::string_view>()},
    {"valve", "valve", "阀门", kValveTypes, "", kValveNames},
    {"charger", "charger", "充电桩", kChargerTypes, "", std::span<const std::string_view>()},
    {"sensor", "sensor", "传感器", kSensorTypes, "", kSensorNames},
    {"camera", "camera", "摄像头", kCameraTypes, "", std::span<const std::string_view>()},
    {"doorbell", "doorbell", "门铃", kDoorbellTypes, "", std::span<const std::string_view>()},
    {"window-cover", "curtain", "窗帘", kCoverTypes, "", std::span<const std::string_view>()},
};

static_assert(kCategories[kLightCategory].name == "light");

// Category words (singular, plural) in both languages.
struct CategoryWord {
  std::string_view phrase;
  int category;
  bool plural;
};
constexpr CategoryWord kCategoryWords[] = {
    {"light", kLight, false}, {"lights", kLight, true}, {"lamp", kLight, false}, {"lamps", kLight, true},
    {"bulb", kLight, false}, {"bulbs", kLight, true}, {"lighting", kLight, true}, {"灯", kLight, false},
    {"灯光", kLight, false}, {"电灯", kLight, false}, {"灯具", kLight, false}, {"盏灯", kLight, false},
    {"fan", kFan, false}, {"fans", kFan, true}, {"风扇", kFan, false}, {"电扇", kFan, false}, {"电风扇", kFan, false},
    {"ac", kAirConditioner, false}, {"acs", kAirConditioner, true}, {"a/c", kAirConditioner, false},
    {"air conditioner", kAirConditioner, false}, {"air conditioners", kAirConditioner, true},
    {"air conditioning", kAirConditioner, false}, {"aircon", kAirConditioner, false},
    {"air con", kAirConditioner, false}, {"空调", kAirConditioner, false}, {"冷气", kAirConditioner, false},
    {"curtain", kCurtain, false}, {"curtains", kCurtain, true}, {"drapes", kCurtain, true}, {"窗帘", kCurtain, false},
    {"blind", kBlind, false}, {"blinds", kBlind, true}, {"shade", kBlind, false}, {"shades", kBlind, true},
    {"shutter", kBlind, false}, {"shutters", kBlind, true}, {"百叶窗", kBlind, false}, {"百叶帘", kBlind, false},
    {"卷帘", kBlind, false}, {"window coverings", kWindowCover, true},
    {"garage door", kGarageDoor, false}, {"车库门", kGarageDoor, false},
    {"lock", kLockCategory, false}, {"locks", kLockCategory, true}, {"door", kLockCategory, false},
    {"doors", kLockCategory, true}, {"door lock", kLockCategory, false}, {"door locks", kLockCategory, true},
    {"门锁", kLockCategory, false}, {"门", kLockCategory, false}, {"锁", kLockCategory, false},
    {"tv", kTv, false}, {"tvs", kTv, true}, {"television", kTv, false}, {"telly", kTv, false},
    {"电视", kTv, false}, {"电视机", kTv, false},
    {"speaker", kSpeaker, false}, {"speakers", kSpeaker, true}, {"music", kSpeaker, false},
    {"音箱", kSpeaker, false}, {"音响", kSpeaker, false}, {"音乐", kSpeaker, false},
    {"vacuum", kVacuum, false}, {"robot vacuum", kVacuum, false}, {"hoover", kVacuum, false},
    {"vacuum cleaner", kVacuum, false}, {"robot", kVacuum, false}, {"扫地机器人", kVacuum, false},
    {"扫地机", kVacuum, false}, {"扫地机器", kVacuum, false}, {"机器人", kVacuum, false},
    {"washer", kWasher, false}, {"washing machine", kWasher, false}, {"laundry", kWasher, false},
    {"洗衣机", kWasher, false},
    {"dryer", kDryer, false}, {"tumble dryer", kDryer, false}, {"烘干机", kDryer, false}, {"干衣机", kDryer, false},
    {"dishwasher", kDishwasher, false}, {"洗碗机", kDishwasher, false},
    {"oven", kOven, false}, {"烤箱", kOven, false},
    {"kettle", kKettle, false}, {"水壶", kKettle, false}, {"电水壶", kKettle, false}, {"烧水壶", kKettle, false},
    {"fridge", kFridge, false}, {"refrigerator", kFridge, false}, {"冰箱", kFridge, false},
    {"heater", kHeater, false}, {"heaters", kHeater, true}, {"space heater", kHeater, false},
    {"取暖器", kHeater, false}, {"暖气", kHeater, false}, {"电暖器", kHeater, false},
    {"thermostat", kThermostat, false}, {"温控器", kThermostat, false}, {"heating", kThermostat, false},
    {"humidifier", kHumidifier, false}, {"加湿器", kHumidifier, false},
    {"dehumidifier", kDehumidifier, false}, {"除湿机", kDehumidifier, false}, {"除湿器", kDehumidifier, false},
    {"purifier", kPurifier, false}, {"air purifier", kPurifier, false}, {"净化器", kPurifier, false},
    {"空气净化器", kPurifier, false},
    {"water heater", kWaterHeater, false}, {"boiler", kWaterHeater, false}, {"热水器", kWaterHeater, false},
    {"plug", kPlug, false}, {"plugs", kPlug, true}, {"socket", kPlug, false}, {"sockets", kPlug, true},
    {"outlet", kPlug, false}, {"outlets", kPlug, true}, {"插座", kPlug, false},
    {"开关", kSwitch, false},
    {"valve", kValve, false}, {"valves", kValve, true}, {"阀门", kValve, false}, {"水阀", kValve, false},
    {"charger", kCharger, false}, {"ev charger", kCharger, false}, {"car charger", kCharger, false},
    {"充电桩", kCharger, false},
    {"sensor", kSensor, false}, {"sensors", kSensor, true}, {"thermometer", kSensor, false},
    {"传感器", kSensor, false}, {"温湿度计", kSensor, false}, {"温度计", kSensor, false},
    {"camera", kCamera, false}, {"cameras", kCamera, true}, {"摄像头", kCamera, false},
    {"doorbell", kDoorbell, false}, {"门铃", kDoorbell, false},
};

// Words that say what kind of device they are about.
struct Implied {
  std::string_view phrase;
  int category;
};
constexpr Implied kImplied[] = {
    {"锁门", kLockCategory}, {"开锁", kLockCategory}, {"开门", kLockCategory}, {"门锁上", kLockCategory},
    {"上锁", kLockCategory}, {"锁上", kLockCategory}, {"反锁", kLockCategory}, {"锁好", kLockCategory},
    {"lock up", kLockCategory}, {"unlock", kLockCategory}, {"lock", kLockCategory}, {"解锁", kLockCategory},
    {"扫地", kVacuum}, {"打扫", kVacuum}, {"清扫", kVacuum}, {"开始扫地", kVacuum}, {"开始打扫", kVacuum},
    {"开始清扫", kVacuum}, {"扫一下", kVacuum}, {"拖地", kVacuum}, {"别扫了", kVacuum}, {"停止扫地", kVacuum},
    {"回充", kVacuum}, {"回去充电", kVacuum}, {"回充电座", kVacuum}, {"回到充电座", kVacuum}, {"回基座", kVacuum},
    {"回座充", kVacuum}, {"回到基座", kVacuum}, {"回桩", kVacuum}, {"回来充电", kVacuum}, {"回充电桩", kVacuum},
    {"vacuuming", kVacuum}, {"start cleaning", kVacuum}, {"stop cleaning", kVacuum}, {"go back to the dock", kVacuum},
    {"return to the dock", kVacuum}, {"return to dock", kVacuum}, {"return to base", kVacuum},
    {"烧水", kKettle}, {"烧壶水", kKettle}, {"烧开水", kKettle}, {"boil water", kKettle},
    {"洗衣服", kWasher}, {"do the laundry", kWasher}, {"洗碗", kDishwasher}, {"do the dishes", kDishwasher},
    {"play music", kSpeaker}, {"放音乐", kSpeaker}, {"stop playing", kSpeaker}, {"停止播放", kSpeaker},
    {"start charging", kCharger}, {"stop charging", kCharger}, {"charge the car", kCharger},
};

constexpr Color kColors[] = {
    {"red", 0xFF0000, "红"}, {"green", 0x00FF00, "绿"}, {"blue", 0x0000FF, "蓝"}, {"white", 0xFFFFFF, "白"},
    {"yellow", 0xFFFF00, "黄"}, {"orange", 0xFFA500, "橙"}, {"purple", 0x800080, "紫"}, {"pink", 0xFFC0CB, "粉"},
    {"cyan", 0x00FFFF, "青"}, {"magenta", 0xFF00FF, "品红"}, {"warm white", 0xFFD9B3, "暖白"},
};
struct ColorWord {
  std::string_view phrase;
  int color;
};
constexpr ColorWord kColorWords[] = {
    {"red", 0}, {"green", 1}, {"blue", 2}, {"white", 3}, {"yellow", 4}, {"orange", 5}, {"purple", 6},
    {"violet", 6}, {"pink", 7}, {"cyan", 8}, {"turquoise", 8}, {"magenta", 9},
    {"红", 0}, {"红色", 0}, {"红光", 0}, {"绿", 1}, {"绿色", 1}, {"蓝", 2}, {"蓝色", 2}, {"白色", 3},
    {"黄", 4}, {"黄色", 4}, {"橙", 5}, {"橙色", 5}, {"橘色", 5}, {"紫", 6}, {"紫色", 6}, {"粉", 7}, {"粉色", 7},
    {"粉红色", 7}, {"粉红", 7}, {"青色", 8}, {"品红", 9}, {"洋红", 9},
};

constexpr std::string_view kAuto[] = {"auto", "自动", "auto (constant humidity)", "自动(恒湿)", "smart", "智能"};
constexpr std::string_view kCoolMode[] = {"cool", "制冷"};
constexpr std::string_view kHeatMode[] = {"heat", "制热", "heating", "加热"};
constexpr std::string_view kDry[] = {"dry", "除湿", "抽湿"};
constexpr std::string_view kFanMode[] = {"fan", "送风", "fan only", "仅送风"};
constexpr std::string_view kSleep[] = {"sleep", "睡眠", "sleep wind", "睡眠风"};
constexpr std::string_view kEco[] = {"eco", "节能"};
constexpr std::string_view kNatural[] = {"natural wind", "自然风"};
constexpr std::string_view kStraight[] = {"straight wind", "直吹风"};
constexpr std::string_view kNight[] = {"night light", "夜灯"};
constexpr std::string_view kReading[] = {"reading", "阅读"};
constexpr std::string_view kMovie[] = {"movie", "观影"};
constexpr std::string_view kDaylight[] = {"daylight", "日光"};
constexpr std::string_view kQuick[] = {"quick", "快洗", "quick heat", "速热"};
constexpr std::string_view kCotton[] = {"cotton", "棉麻"};
constexpr std::string_view kWool[] = {"wool", "羊毛"};
constexpr std::string_view kDelicates[] = {"delicates", "轻柔"};
constexpr std::string_view kSweep[] = {"sweep", "扫地"};
constexpr std::string_view kMop[] = {"mop", "拖地"};
constexpr std::string_view kSweepMop[] = {"sweep and mop", "扫拖"};
constexpr std::string_view kVacation[] = {"vacation", "度假"};
constexpr std::string_view kManual[] = {"manual", "手动"};
constexpr std::string_view kFavorite[] = {"favorite", "自定义(最爱)", "最爱"};
constexpr std::string_view kStandard[] = {"standard", "标准"};
constexpr std::string_view kContinuous[] = {"continuous", "连续除湿"};
constexpr std::string_view kClothes[] = {"clothes drying", "干衣"};
constexpr std::string_view kComputer[] = {"computer", "电脑"};

constexpr ModeWord kModeWords[] = {
    {"auto", kAuto}, {"cool", kCoolMode}, {"heat", kHeatMode}, {"dry", kDry}, {"fan", kFanMode},
    {"sleep", kSleep}, {"eco", kEco}, {"natural wind", kNatural}, {"straight wind", kStraight},
    {"night light", kNight}, {"reading", kReading}, {"movie", kMovie}, {"daylight", kDaylight},
    {"quick", kQuick}, {"cotton", kCotton}, {"wool", kWool}, {"delicates", kDelicates}, {"sweep", kSweep},
    {"mop", kMop}, {"sweep and mop", kSweepMop}, {"vacation", kVacation}, {"manual", kManual},
    {"favorite", kFavorite}, {"standard", kStandard}, {"continuous", kContinuous}, {"clothes drying", kClothes},
    {"computer", kComputer},
};
struct ModePhrase {
  std::string_view phrase;
  int mode;
};
constexpr ModePhrase kModePhrases[] = {
    {"auto", 0}, {"automatic", 0}, {"自动", 0}, {"智能", 0}, {"cool", 1}, {"cooling", 1}, {"制冷", 1},
    {"冷风", 1}, {"heat", 2}, {"heating", 2}, {"制热", 2}, {"暖风", 2}, {"热风", 2}, {"dry", 3},
    {"dehumidify", 3}, {"除湿", 3}, {"抽湿", 3}, {"fan only", 4}, {"fan mode", 4}, {"送风", 4},
    {"sleep", 5}, {"sleep mode", 5}, {"睡眠", 5}, {"eco", 6}, {"economy", 6}, {"节能", 6}, {"natural wind", 7},
    {"natural breeze", 7}, {"自然风", 7}, {"straight wind", 8}, {"直吹", 8}, {"night light mode", 9},
    {"夜灯", 9}, {"reading", 10}, {"reading mode", 10}, {"阅读", 10}, {"movie", 11}, {"观影", 11},
    {"daylight", 12}, {"日光", 12}, {"quick", 13}, {"quick wash", 13}, {"快洗", 13}, {"速热", 13},
    {"cotton", 14}, {"棉麻", 14}, {"wool", 15}, {"羊毛", 15}, {"delicates", 16}, {"轻柔", 16},
    {"sweep", 17}, {"mop", 18}, {"mopping", 18}, {"sweep and mop", 19}, {"扫拖", 19}, {"vacation", 20},
    {"度假", 20}, {"manual", 21}, {"手动", 21}, {"favorite", 22}, {"favourite", 22}, {"最爱", 22},
    {"standard", 23}, {"标准", 23}, {"continuous", 24}, {"连续除湿", 24}, {"clothes drying", 25}, {"干衣", 25},
    {"computer", 26}, {"电脑", 26},
};

constexpr LevelWord kLevelWords[] = {
    {"low", 1, "低"}, {"medium", 2, "中"}, {"high", 3, "高"}, {"auto", 0, "自动"}, {"max", 4, "最高"},
    {"silent", -1, "静音"}, {"turbo", 5, "强劲"},
};
struct LevelPhrase {
  std::string_view phrase;
  int level;
};
constexpr LevelPhrase kLevelPhrases[] = {
    {"low", 0}, {"lowest", 0}, {"medium", 1}, {"mid", 1}, {"middle", 1}, {"high", 2}, {"highest", 4},
    {"full speed", 4}, {"silent", 5}, {"quiet", 5}, {"turbo", 6}, {"strong", 6}, {"低档", 0}, {"低速", 0},
    {"低风", 0}, {"中档", 1}, {"中速", 1}, {"中风", 1}, {"高档", 2}, {"高速", 2}, {"高风", 2},
    {"最高档", 4}, {"静音", 5}, {"强劲", 6}, {"强力", 6}, {"自动风", 3}, {"auto speed", 3},
};

}  // namespace

std::span<const Word> words() {
  // The table above plus the category, colour, mode and level words, made once.
  static const std::vector<Word> all = [] {
    std::vector<Word> out(std::begin(kWords), std::end(kWords));
    for (const CategoryWord& word : kCategoryWords) out.push_back({word.phrase, Cue::kCategory, word.category, word.plural});
    for (const ColorWord& word : kColorWords) out.push_back({word.phrase, Cue::kColor, word.color});
    for (const ModePhrase& word : kModePhrases) out.push_back({word.phrase, Cue::kModeWord, word.mode});
    for (const LevelPhrase& word : kLevelPhrases) out.push_back({word.phrase, Cue::kLevelWord, word.level});
    for (const Implied& word : kImplied) out.push_back({word.phrase, Cue::kImplied, word.category});
    return out;
  }();
  return all;
}

std::span<const Category> categories() { return kCategories; }
std::span<const Color> colors() { return kColors; }
std::span<const ModeWord> mode_words() { return kModeWords; }
std::span<const LevelWord> level_words() { return kLevelWords; }

}  // namespace millet::assistant
