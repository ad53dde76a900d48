//! Plausible Chinese names for demo people and places, drawn from a seeded generator so that
//! the same seed always gives the same county.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Common surnames, most frequent first; earlier ones are drawn more often.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
    "闫", "段", "雷", "侯",
];

const GIVEN_ONE: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平",
    "刚", "辉", "鹏", "华", "红", "玲", "斌", "波", "宇", "浩", "凯", "健", "俊", "帆", "琳", "雪", "峰", "燕", "琴",
    "亮", "林",
];

const GIVEN_TWO: &[&str] = &[
    "建国", "建华", "志强", "海燕", "红梅", "秀英", "桂英", "秀兰", "玉兰", "春华", "晓东", "丽华", "文杰", "国庆",
    "卫东", "永红", "小红", "晓燕", "明华", "志刚", "俊杰", "海涛", "雪梅", "丽娟", "国强", "振华", "少华", "晓明",
    "红霞", "德明", "金花", "淑芬", "子涵", "雨轩", "思远", "嘉怡", "宏伟", "立新", "春燕", "文静",
];

pub fn person(rng: &mut ChaCha8Rng) -> String {
    // Squaring a uniform draw favours the front of the list, as real surname frequencies do.
    let r: f64 = rng.random();
    let surname = SURNAMES[((r * r) * SURNAMES.len() as f64) as usize % SURNAMES.len()];
    let given = if rng.random_bool(0.45) {
        GIVEN_ONE[rng.random_range(0..GIVEN_ONE.len())]
    } else {
        GIVEN_TWO[rng.random_range(0..GIVEN_TWO.len())]
    };
    format!("{surname}{given}")
}

const PLACE_FIRST: &[&str] = &[
    "王家", "李家", "张家", "刘家", "赵家", "马家", "东", "西", "南", "北", "上", "下", "前", "后", "石", "柳", "杨",
    "白", "黄", "红", "青", "清水", "大", "小", "新", "老", "桃", "梨", "松", "枣", "龙", "凤", "沙", "高", "平", "长",
];

const PLACE_SECOND: &[&str] = &[
    "庄", "沟", "坪", "湾", "岭", "坡", "营", "寨", "堡", "河", "峪", "店", "桥", "台", "洼", "塘", "坝", "山", "园",
    "林",
];

const COMMUNITY_NAMES: &[&str] = &[
    "和平", "建设", "新华", "解放", "胜利", "文化", "光明", "幸福", "朝阳", "团结", "人民", "振兴", "育才", "滨河",
    "西关", "东关", "南街", "北街", "府前", "站前",
];

/// A village name not yet in `taken`.
pub fn village(rng: &mut ChaCha8Rng, taken: &mut Vec<String>) -> String {
    loop {
        let name = format!(
            "{}{}村",
            PLACE_FIRST[rng.random_range(0..PLACE_FIRST.len())],
            PLACE_SECOND[rng.random_range(0..PLACE_SECOND.len())]
        );
        if !taken.contains(&name) {
            taken.push(name.clone());
            return name;
        }
    }
}

/// A community name not yet in `taken`.
pub fn community(rng: &mut ChaCha8Rng, taken: &mut Vec<String>) -> String {
    loop {
        let name = format!("{}社区", COMMUNITY_NAMES[rng.random_range(0..COMMUNITY_NAMES.len())]);
        if !taken.contains(&name) {
            taken.push(name.clone());
            return name;
        }
        if taken.len() >= COMMUNITY_NAMES.len() {
            let name = format!("第{}社区", taken.len() + 1);
            taken.push(name.clone());
            return name;
        }
    }
}

/// A mobile number in a range that reads as real but is marked as demo data by its prefix.
pub fn phone(rng: &mut ChaCha8Rng) -> String {
    format!("199{:08}", rng.random_range(0..100_000_000u32))
}
