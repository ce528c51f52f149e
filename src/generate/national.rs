//! Data for `rules/national_individual.kh`: every civil servant of a
//! country, in departments of counties and cities, one row per person per
//! quarter, sparse supervision cases and awards.
//!
//! What makes it plausible: departments of very different sizes (5 to 1,500
//! people; a few large bureaus hold many), offices inside them, Chinese
//! names, department names unique in the country, skewed figures (most
//! people do well, a tail does badly), empty cells where a post has no
//! service recipients or no budget, rare vetoes, and people whose records
//! are identical to a colleague's, so that ties at the quota line occur.
//! Everything is drawn from a per-department stream seeded by the seed and
//! the department's number, so a data set depends only on `--seed` and
//! `--people`.

use std::path::Path;

use super::{Rng, Sink};

/// How large a data set to write.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Number of civil servants.
    pub people: u64,
    /// Seed of the random streams.
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Civil servants (rows of `公务员.csv`).
    pub people: u64,
    /// Departments.
    pub departments: u64,
    /// Rows of `季报.csv` (four per person).
    pub quarters: u64,
    /// Rows of `监督信息.csv`.
    pub cases: u64,
    /// Rows of `工作成果.csv`.
    pub awards: u64,
    /// Bytes of all four files.
    pub bytes: u64,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁",
    "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程",
    "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "方",
    "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚",
    "邵", "万", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂",
    "英", "华", "玉", "兰", "萍", "鹏", "辉", "红", "建", "文", "斌", "宇", "浩", "凯", "欣", "怡", "婷", "雪", "琳", "晨", "阳", "佳",
    "丹", "鑫", "颖", "倩", "慧", "海", "峰", "亮", "晓", "燕", "振", "东", "国", "庆", "志", "新", "春", "莉", "梅", "林", "波", "宁",
    "晶", "嘉", "子", "思",
];
/// Syllables of invented county names (two of them and a suffix make a county).
const PLACE: &[&str] = &[
    "安", "平", "东", "西", "南", "北", "中", "新", "长", "永", "宁", "和", "兴", "清", "河", "山", "阳", "泉", "江", "海", "云", "龙",
    "华", "武", "成", "德", "丰", "石", "临", "川", "台", "湖", "城", "乐", "元", "荣", "昌", "嘉", "福", "瑞", "宝", "金", "通", "泰",
    "康", "庆", "定", "远", "桐", "鹤", "梅", "枣", "望", "鹿", "岳", "溪", "桥", "林", "沙", "水", "峰", "阜", "宜", "洛",
];
const COUNTY_SUFFIX: &[&str] = &["县", "区", "市"];
/// Department kinds, with a size class: 0 small, 1 middle, 2 large.
const BUREAUS: &[(&str, u8)] = &[
    ("公安局", 2),
    ("税务局", 2),
    ("教育局", 1),
    ("财政局", 1),
    ("人民法院", 1),
    ("人民检察院", 1),
    ("市场监督管理局", 1),
    ("城市管理局", 1),
    ("农业农村局", 1),
    ("自然资源局", 1),
    ("人力资源和社会保障局", 1),
    ("卫生健康委员会", 1),
    ("住房和城乡建设局", 1),
    ("交通运输局", 1),
    ("生态环境局", 1),
    ("民政局", 0),
    ("司法局", 0),
    ("水利局", 0),
    ("商务局", 0),
    ("文化和旅游局", 0),
    ("退役军人事务局", 0),
    ("应急管理局", 0),
    ("审计局", 0),
    ("统计局", 0),
    ("医疗保障局", 0),
    ("信访局", 0),
    ("档案馆", 0),
    ("发展和改革局", 0),
    ("科学技术局", 0),
    ("工业和信息化局", 0),
    ("林业局", 0),
    ("党委办公室", 0),
    ("政府办公室", 0),
    ("组织部", 0),
    ("宣传部", 0),
    ("统战部", 0),
    ("政法委", 0),
    ("纪委监委", 1),
    ("机关事务管理局", 0),
    ("行政审批服务局", 0),
    ("数据资源局", 0),
];
const OFFICES: &[&str] = &[
    "办公室",
    "综合科",
    "法规科",
    "财务科",
    "人事科",
    "业务一科",
    "业务二科",
    "政策研究室",
    "督查科",
    "审批服务科",
    "监督科",
    "规划科",
    "信息中心",
    "宣传科",
    "安全科",
    "项目科",
    "统计科",
    "执法大队",
    "业务三科",
    "后勤服务中心",
];
/// Province codes (the first two digits of a staff number).
const PROVINCES: &[u64] =
    &[11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65];
const AWARD_TITLES: &[&str] = &[
    "政务服务标准化经验",
    "基层治理创新案例",
    "营商环境优化做法",
    "数字政府建设成果",
    "专项整治行动",
    "调研报告",
    "信访积案化解",
    "安全生产专项检查",
    "乡村振兴帮扶项目",
    "应急处置工作",
];

/// A supervision source, its file-number character and its kinds with weights (per mille).
struct Source {
    name: &'static str,
    mark: &'static str,
    kinds: &'static [(&'static str, u64)],
}

/// Sources and how often a case comes from each (per mille, summing to 1000).
const SOURCES: &[(Source, u64)] = &[
    (Source { name: "纪检监察", mark: "纪", kinds: &[("诫勉谈话", 600), ("函询属实", 300), ("党纪政纪处分", 100)] }, 150),
    (Source { name: "干部监督", mark: "组", kinds: &[("组织处理", 300), ("明察暗访违纪", 700)] }, 250),
    (Source { name: "信访", mark: "信", kinds: &[("有效投诉", 1000)] }, 250),
    (Source { name: "审计", mark: "审", kinds: &[("审计查出问题", 1000)] }, 150),
    (Source { name: "反贪", mark: "检", kinds: &[("立案侦查", 1000)] }, 10),
    (Source { name: "行政复议", mark: "复", kinds: &[("被撤销变更或确认违法", 1000)] }, 100),
    (Source { name: "行政诉讼", mark: "诉", kinds: &[("败诉", 600), ("负责人不出庭应诉", 400)] }, 90),
];

/// Days before each month of 2024 (a leap year).
const MONTH_START: [i64; 13] = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

/// One person's figures for one quarter, in the units of the CSV cells.
#[derive(Debug, Clone, Copy, Default)]
struct Quarter {
    /// 质量达标率, tenths of a percentage point.
    quality: i64,
    late_days: i64,
    /// 满意率, tenths; `None` for a post without service recipients.
    satisfaction: Option<i64>,
    /// 预算 and 实际支出, hundredths of 10k yuan.
    budget: Option<(i64, i64)>,
    month_sum: i64,
    month_late: i64,
    leaders: (i64, i64),
    /// count, sum, highest, lowest
    colleagues: (i64, i64, i64, i64),
    recipients: (i64, i64, i64, i64),
}

/// One person's record (what a colleague with an identical record copies).
#[derive(Debug, Clone, Copy, Default)]
struct Record {
    /// The year-end panel's means, tenths.
    annual: [i64; 4],
    quarters: [Quarter; 4],
}

/// The four files being written.
struct Files {
    units: Sink,
    quarters: Sink,
    cases: Sink,
    awards: Sink,
}

/// Writes `公务员.csv`, `季报.csv`, `监督信息.csv` and `工作成果.csv` into `dir`
/// (created if missing).
pub fn write(dir: &Path, options: &Options) -> std::io::Result<Summary> {
    std::fs::create_dir_all(dir)?;
    let mut files = Files {
        units: Sink::create(&dir.join("公务员.csv"), "工号,姓名,部门,处室,职级,年度德,年度能,年度勤,年度廉")?,
        quarters: Sink::create(
            &dir.join("季报.csv"),
            "工号,季度,质量达标率,逾期天数,满意率,预算,实际支出,月评合计,月报逾期,领导人数,领导合计,同事人数,同事合计,同事最高,同事最低,对象人数,对象合计,对象最高,对象最低",
        )?,
        cases: Sink::create(&dir.join("监督信息.csv"), "工号,日期,来源,情形,责任,文号,整改完成日期")?,
        awards: Sink::create(&dir.join("工作成果.csv"), "工号,成果名称,级别")?,
    };
    let mut next_person: u64 = 0;
    let mut department: u64 = 0;
    let mut county_name = String::new();
    while next_person < options.people {
        // Each county has a run of departments; the county changes every len(BUREAUS) departments.
        let county = department / BUREAUS.len() as u64;
        // The county's bureaus in an order of its own (17 is coprime with the 41 kinds: a permutation).
        let bureau_index = ((department % BUREAUS.len() as u64) * 17 + county * 5 + 3) % BUREAUS.len() as u64;
        if department % BUREAUS.len() as u64 == 0 {
            county_name = county_of(county);
        }
        let mut rng = Rng::new(options.seed ^ department.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let (bureau, class) = BUREAUS[usize::try_from(bureau_index).unwrap_or(0)];
        let size = department_size(&mut rng, class).min(options.people - next_person);
        let name = format!("{county_name}{bureau}");
        let province = PROVINCES[usize::try_from(county % PROVINCES.len() as u64).unwrap_or(0)];
        write_department(&mut files, &mut rng, &name, &county_name, province, next_person, size)?;
        next_person += size;
        department += 1;
    }
    for sink in [&mut files.units, &mut files.quarters, &mut files.cases, &mut files.awards] {
        sink.flush()?;
    }
    Ok(Summary {
        people: files.units.rows,
        departments: department,
        quarters: files.quarters.rows,
        cases: files.cases.rows,
        awards: files.awards.rows,
        bytes: files.units.bytes + files.quarters.bytes + files.cases.bytes + files.awards.bytes,
    })
}

/// The name of county number `c`: two syllables and a suffix, different for
/// every `c` below `PLACE.len()² × 3` (12,288 counties), then numbered.
fn county_of(c: u64) -> String {
    let p = PLACE.len() as u64;
    let s = COUNTY_SUFFIX.len() as u64;
    let space = p * p * s;
    // An odd multiplier coprime with the space scatters neighbouring numbers.
    let m = ((c + 1000) % space).wrapping_mul(7919) % space;
    let first = PLACE[usize::try_from(m % p).unwrap_or(0)];
    let second = PLACE[usize::try_from((m / p) % p).unwrap_or(0)];
    let suffix = COUNTY_SUFFIX[usize::try_from(m / (p * p)).unwrap_or(0)];
    if c < space { format!("{first}{second}{suffix}") } else { format!("{first}{second}第{}{suffix}", c / space + 1) }
}

/// People in a department: skewed, with the large bureaus larger.
fn department_size(rng: &mut Rng, class: u8) -> u64 {
    let roll = rng.below(1000);
    let (lo, hi) = match (class, roll) {
        (0, 0..=599) => (5, 20),
        (0, 600..=949) => (20, 60),
        (0, _) => (60, 150),
        (1, 0..=299) => (15, 40),
        (1, 300..=849) => (40, 150),
        (1, _) => (150, 500),
        (_, 0..=499) => (80, 300),
        (_, 500..=899) => (300, 800),
        (_, _) => (800, 1500),
    };
    u64::try_from(rng.range(lo, hi)).unwrap_or(5)
}

fn write_department(
    files: &mut Files,
    rng: &mut Rng,
    department: &str,
    county: &str,
    province: u64,
    first: u64,
    size: u64,
) -> std::io::Result<()> {
    let offices = usize::try_from((2 + size / 12).min(OFFICES.len() as u64)).unwrap_or(2);
    let offices = &OFFICES[..offices];
    // A department's quality lifts or lowers all its people a little.
    let department_level = rng.range(-60, 60);
    let mut previous: Option<Record> = None;
    for k in 0..size {
        let number = first + k + 1;
        let rank = match rng.below(1000) {
            0..=79 => "处级",
            80..=379 => "科级",
            _ => "科员",
        };
        // About 1 in 300 has exactly a colleague's record: ties at every key.
        let record = match previous {
            Some(p) if rng.chance(3) => p,
            _ => person(rng, department_level),
        };
        previous = Some(record);
        // The person's row.
        let u = &mut files.units;
        u.padded(province, 2);
        u.padded(number, 7);
        u.comma();
        u.text(rng.skewed(SURNAMES));
        u.text(rng.pick(GIVEN));
        if rng.chance(650) {
            u.text(rng.pick(GIVEN));
        }
        u.comma();
        u.text(department);
        u.comma();
        u.text(rng.skewed(offices));
        u.comma();
        u.text(rank);
        for a in record.annual {
            u.comma();
            u.decimal(a, 1);
        }
        u.end_row()?;
        // Four quarters.
        for (i, q) in record.quarters.iter().enumerate() {
            let s = &mut files.quarters;
            s.padded(province, 2);
            s.padded(number, 7);
            s.text([",Q1,", ",Q2,", ",Q3,", ",Q4,"][i]);
            s.decimal(q.quality, 1);
            s.comma();
            s.int(q.late_days);
            s.comma();
            if let Some(v) = q.satisfaction {
                s.decimal(v, 1);
            }
            s.comma();
            if let Some((b, a)) = q.budget {
                s.decimal(b, 2);
                s.comma();
                s.decimal(a, 2);
            } else {
                s.comma();
            }
            s.comma();
            s.int(q.month_sum);
            s.comma();
            s.int(q.month_late);
            s.comma();
            s.int(q.leaders.0);
            s.comma();
            s.int(q.leaders.1);
            let (n, sum, hi, lo) = q.colleagues;
            for v in [n, sum, hi, lo] {
                s.comma();
                s.int(v);
            }
            let (n, sum, hi, lo) = q.recipients;
            s.comma();
            s.int(n);
            if n > 0 {
                for v in [sum, hi, lo] {
                    s.comma();
                    s.int(v);
                }
            } else {
                s.text(",,,");
            }
            s.end_row()?;
        }
        // Supervision cases: about 0.12 per person, more for leaders.
        let mut cases = 0;
        while cases < 5 && rng.chance(if rank == "处级" { 160 } else { 105 }) {
            cases += 1;
            write_case(&mut files.cases, rng, province, number, rank, county)?;
        }
        // Awards: about 3 in 100, a few with two.
        if rng.chance(30) {
            let count = if rng.chance(100) { 2 } else { 1 };
            for _ in 0..count {
                let a = &mut files.awards;
                a.padded(province, 2);
                a.padded(number, 7);
                a.comma();
                a.text(rng.pick(AWARD_TITLES));
                a.comma();
                a.text(match rng.below(1000) {
                    0..=699 => "市级",
                    700..=949 => "省级",
                    _ => "国家级",
                });
                a.end_row()?;
            }
        }
    }
    Ok(())
}

/// A panel of `n` raters scoring around `centre` within `spread` below and
/// `spread / 2` above, capped at 100: (count, sum, highest, lowest).
fn panel(rng: &mut Rng, n: i64, centre: i64, spread: i64) -> (i64, i64, i64, i64) {
    let (mut sum, mut hi, mut lo) = (0, 0, 100);
    for _ in 0..n {
        let v = (centre + rng.range(-spread, spread / 2)).clamp(40, 100);
        sum += v;
        hi = hi.max(v);
        lo = lo.min(v);
    }
    (n, sum, hi, lo)
}

/// One person's year: a latent ability (0..1000, skewed towards good) drives every figure.
fn person(rng: &mut Rng, department_level: i64) -> Record {
    // Triangular around the middle, with a tail of people who do badly.
    let tail = if rng.chance(50) { rng.range(300, 1000) } else { 0 };
    let ability = ((rng.range(0, 1000) + rng.range(0, 1000)) / 2 + department_level - tail).clamp(-700, 1000);
    let serves_public = rng.chance(550);
    let has_budget = rng.chance(250);
    let recipients_seen = serves_public && rng.chance(800);
    let mut quarters = [Quarter::default(); 4];
    for q in &mut quarters {
        q.quality = (835 + ability * 18 / 100 + rng.range(-50, 40)).clamp(400, 1150);
        q.late_days = match rng.below(1000) {
            0..=819 => 0,
            820..=969 => rng.range(1, 3),
            _ => rng.range(4, 25),
        };
        q.satisfaction = serves_public.then(|| (780 + ability * 18 / 100 + rng.range(-60, 40)).clamp(500, 1000));
        q.budget = has_budget.then(|| {
            let budget = if rng.chance(2) { 0 } else { rng.range(100, 50_000) };
            let ratio = match rng.below(1000) {
                0..=699 => rng.range(800, 1000),
                700..=979 => rng.range(1001, 1300),
                _ => rng.range(1300, 1800),
            };
            (budget, budget * ratio / 1000)
        });
        let mut month_sum = 0;
        let mut month_late = 0;
        for _ in 0..3 {
            if rng.chance(15) {
                continue; // not handed in: counts 0
            }
            month_sum += (62 + ability * 30 / 1000 + rng.range(-8, 6)).clamp(0, 100);
            if rng.chance(40) {
                month_late += 1;
            }
        }
        q.month_sum = month_sum;
        q.month_late = month_late;
        let n = rng.range(1, 3);
        let (n, sum, _, _) = panel(rng, n, 66 + ability * 30 / 1000, 6);
        q.leaders = (n, sum);
        let n = rng.range(3, 12);
        q.colleagues = panel(rng, n, 68 + ability * 28 / 1000, 12);
        let n = rng.range(1, 10);
        q.recipients = if recipients_seen { panel(rng, n, 72 + ability * 26 / 1000, 15) } else { (0, 0, 0, 0) };
    }
    let mut annual = [0; 4];
    for a in &mut annual {
        *a = (695 + ability * 28 / 100 + rng.range(-30, 30)).clamp(500, 1000);
    }
    Record { annual, quarters }
}

fn write_case(sink: &mut Sink, rng: &mut Rng, province: u64, number: u64, rank: &str, county: &str) -> std::io::Result<()> {
    let mut roll = rng.below(1000);
    let mut chosen = &SOURCES[0].0;
    for (source, weight) in SOURCES {
        if roll < *weight {
            chosen = source;
            break;
        }
        roll -= weight;
    }
    let mut roll = rng.below(1000);
    let mut kind = chosen.kinds[0].0;
    for (k, weight) in chosen.kinds {
        if roll < *weight {
            kind = k;
            break;
        }
        roll -= weight;
    }
    let leader = rng.chance(match rank {
        "处级" => 800,
        "科级" => 300,
        _ => 50,
    });
    let day = rng.range(0, 365);
    sink.padded(province, 2);
    sink.padded(number, 7);
    sink.comma();
    write_date(sink, day);
    sink.comma();
    sink.text(chosen.name);
    sink.comma();
    sink.text(kind);
    sink.comma();
    sink.text(if leader { "领导责任" } else { "直接责任" });
    sink.comma();
    // 文号: the county's first two characters, the source's mark, the year, a number.
    sink.text(county.get(..6).unwrap_or(county));
    sink.text(chosen.mark);
    sink.text("〔2024〕");
    sink.int(rng.range(1, 300));
    sink.text("号");
    sink.comma();
    // Audit findings are mostly rectified, some within 90 days (half the deduction cancelled).
    if chosen.name == "审计" && rng.chance(700) {
        write_date(sink, day + rng.range(20, 150));
    }
    sink.end_row()
}

/// Writes day `d` of 2024 (0 = January 1st; past the year, into 2025).
fn write_date(sink: &mut Sink, d: i64) {
    let (year, d) = if d >= 366 { (2025, d - 366) } else { (2024, d) };
    let month = MONTH_START.iter().rposition(|&start| start <= d).unwrap_or(0).min(11);
    // 2025 is not a leap year: from March on its days are one later than 2024's table says.
    let (month, day) = if year == 2025 && d >= 59 {
        let d = d + 1;
        let m = MONTH_START.iter().rposition(|&start| start <= d).unwrap_or(0).min(11);
        (m, d - MONTH_START[m])
    } else {
        (month, d - MONTH_START[month])
    };
    sink.int(year);
    sink.text("-");
    sink.padded(month as u64 + 1, 2);
    sink.text("-");
    sink.padded(u64::try_from(day + 1).unwrap_or(1), 2);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_every_person_has_four_quarters() {
        let base = std::env::temp_dir().join(format!("kaohe-gen-{}", std::process::id()));
        let (a, b) = (base.join("a"), base.join("b"));
        let options = Options { people: 700, seed: 3 };
        let sa = write(&a, &options).unwrap();
        let sb = write(&b, &options).unwrap();
        assert_eq!(sa.people, 700);
        assert_eq!(sa.quarters, 2800);
        assert!(sa.departments > 1 && sa.cases > 0);
        for f in ["公务员.csv", "季报.csv", "监督信息.csv", "工作成果.csv"] {
            assert_eq!(std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f}");
        }
        assert_eq!(sa.bytes, sb.bytes);
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn county_names_differ_and_dates_exist() {
        let names: std::collections::BTreeSet<String> = (0..12_288).map(county_of).collect();
        assert_eq!(names.len(), 12_288);
        let dir = std::env::temp_dir().join(format!("kaohe-date-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.csv");
        let mut s = Sink::create(&path, "d").unwrap();
        for d in [0, 58, 59, 365, 366, 366 + 58, 366 + 59, 366 + 149] {
            write_date(&mut s, d);
            s.comma();
        }
        s.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "d\n2024-01-01,2024-02-28,2024-02-29,2024-12-31,2025-01-01,2025-02-28,2025-03-01,2025-05-30,");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
