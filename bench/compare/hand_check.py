#!/usr/bin/env python3
"""Independent Decimal arithmetic for the test blocks of rules/national_individual.kh.

The expectations in the scheme's tests were computed with this script before
kaohe was run on them (never copied from kaohe). It re-implements the scheme's
rules by hand, in Python's decimal module, for the few people of the tests, and
prints every figure the tests expect. It also prints the test blocks' data
rows, so that the rows in the scheme and the rows computed here are the same.

    python3 bench/compare/hand_check.py
"""

from decimal import ROUND_HALF_UP, Decimal as D

Q = D("0.01")


def r2(x):
    return x.quantize(Q, rounding=ROUND_HALF_UP)


def norm(x):
    """A decimal without trailing zeros, as kaohe prints indicator scores."""
    s = format(x.normalize(), "f")
    return s


# A quarter: (质量达标率, 逾期天数, 满意率, 预算, 实际支出, 月评合计, 月报逾期,
#             领导人数, 领导合计, 同事人数, 同事合计, 同事最高, 同事最低,
#             对象人数, 对象合计, 对象最高, 对象最低); None = empty cell.
def quarter_scores(q):
    (qual, late_days, sat, budget, spend, month_sum, month_late,
     ln, ls, cn, cs, chi, clo, sn, ss, shi, slo) = q
    quality = min(qual, D(100))
    deadline = max(D(100) - late_days * 5, D(0))
    satisfaction = sat if sat is not None else quality
    if budget is not None and spend is not None and budget > 0:
        ratio = spend / budget
        if ratio <= 1:
            cost = D(100)
        elif ratio < D("1.5"):
            cost = r2(D(100) - (spend - budget) * 200 / budget)
        else:
            cost = D(0)
    else:
        cost = quality
    monthly = max(r2((month_sum - month_late * 10) / 3), D(0))
    leaders = r2(ls / ln)
    colleagues = r2((cs - chi - clo) / (cn - 2) if cn >= 5 else cs / cn)
    if sn >= 5:
        recipients = r2((ss - shi - slo) / (sn - 2))
    elif sn > 0:
        recipients = r2(ss / sn)
    else:
        recipients = r2(ls / ln)
    return dict(质量=quality, 时限=deadline, 满意度=satisfaction, 成本=cost, 月总结=monthly,
                领导评价=leaders, 同事评价=colleagues, 服务对象评价=recipients)


PER_Q = ["质量", "时限", "满意度", "成本", "月总结", "领导评价", "同事评价", "服务对象评价"]

# Deduction rules: (name, cap, [(来源, 情形 set, amount)]); 领导责任 halves all but 负责人不出庭应诉.
DEDUCTIONS = [
    ("纪检监察", D(10), [("纪检监察", {"诫勉谈话", "函询属实"}, D(5), True)]),
    ("干部监督", D(6), [("干部监督", {"组织处理"}, D(3), True), ("干部监督", {"明察暗访违纪"}, D(1), True)]),
    ("信访", D(10), [("信访", {"有效投诉"}, D(2), True)]),
    ("审计", D(6), [("审计", {"审计查出问题"}, D(2), True)]),
    ("行政复议", D(9), [("行政复议", {"被撤销变更或确认违法"}, D(3), True)]),
    ("行政诉讼", D(9), [("行政诉讼", {"败诉"}, D(3), True), ("行政诉讼", {"负责人不出庭应诉"}, D(1), False)]),
]


def days(a, b):
    import datetime
    return (datetime.date.fromisoformat(b) - datetime.date.fromisoformat(a)).days


def person(annual, quarters, events=(), awards=()):
    """Every figure of one person: indicator scores, deductions, bonus, exact and published total."""
    qs = [quarter_scores(q) for q in quarters]
    s = {k: sum(q[k] * D("0.25") for q in qs) for k in PER_Q}
    s["德"], s["能"], s["勤"], s["廉"] = annual
    s["关键绩效"] = D("0.4") * s["质量"] + D("0.3") * s["时限"] + D("0.2") * s["满意度"] + D("0.1") * s["成本"]
    s["季测评"] = D("0.4") * s["领导评价"] + D("0.3") * s["同事评价"] + D("0.3") * s["服务对象评价"]
    s["年度考核"] = sum(D("0.25") * s[k] for k in ["德", "能", "勤", "廉"])
    base = D("0.5") * s["关键绩效"] + D("0.1") * s["月总结"] + D("0.2") * s["季测评"] + D("0.2") * s["年度考核"]
    ded = {}
    for name, cap, rules in DEDUCTIONS:
        amount = D(0)
        for src, kinds, each, halves in rules:
            for (date, source, kind, resp, fixed) in events:
                if source == src and kind in kinds:
                    a = each * (D("0.5") if halves and resp == "领导责任" else 1)
                    if name == "审计" and fixed is not None and days(date, fixed) <= 90:
                        a = a * D("0.5")
                    amount += a
        ded[name] = min(amount, cap)
    points = {"国家级": D(5), "省级": D(3), "市级": D(2)}
    bonus = min(max([points[a] for a in awards], default=D(0)), D(5))
    exact = min(base - min(sum(ded.values()), D(20)) + min(bonus, D(5)), D(100))
    vetoed = any(src == "纪检监察" and kind == "党纪政纪处分" or src == "反贪" and kind == "立案侦查"
                 for (_, src, kind, _, _) in events)
    return dict(scores=s, deductions=ded, bonus=bonus, base=base, exact=exact, total=r2(exact), vetoed=vetoed)


def show(title, people):
    print(f"== {title}")
    for pid, p in people.items():
        s = p["scores"]
        print(f"{pid}: total {p['total']} (exact {p['exact']}, before adjustments {p['base']}), vetoed {p['vetoed']}")
        print("   " + ", ".join(f"{k} {norm(v)}" for k, v in s.items()))
        print("   deductions " + ", ".join(f"{k} {norm(v)}" for k, v in p["deductions"].items() if v) + f"; bonus {p['bonus']}")


def n(x):
    return None if x is None else D(str(x))


def quarter(*cells):
    return tuple(n(c) for c in cells)


# ---- test 1: one officer over the year ----
T1_QUARTERS = [
            # Q1: cost 3.2 over a budget of 3 (106.67%): 100 - 0.2 x 200 / 3 = 86.666... -> 86.67
            quarter(95.5, 0, 92, 3, 3.2, 255, 0, 2, 178, 6, 512, 95, 70, 5, 440, 96, 80),
            # Q2: no satisfaction, no budget, no service recipients
            quarter(100, 2, None, None, None, 262, 1, 1, 90, 4, 340, 90, 80, 0, None, None, None),
            # Q3: quality over 100%, under budget, 3 recipients (plain mean), one summary not handed in
            quarter(105, 0, 88.5, 20, 18, 170, 0, 3, 265, 7, 590, 95, 75, 3, 250, 90, 75),
            # Q4: 60% over budget -> cost 0
            quarter(90, 4, 96, 5, 8, 271, 2, 2, 181, 5, 433, 92, 81, 8, 700, 98, 70),
]
T1 = {"110000001": person((D("88.5"), D(90), D("86.25"), D(95)), T1_QUARTERS)}

# ---- test 2: one department's quota, a full tie, a veto; a small department ----
SAME = [quarter(96, 0, 95, None, None, 282, 0, 2, 190, 6, 560, 98, 90, 5, 470, 96, 90)] * 4
T2_NAMES = [("210000001", "王芳"), ("210000002", "李娜"), ("210000003", "刘洋"), ("210000004", "陈静"),
            ("210000005", "杨磊"), ("210000006", "赵军"), ("210000007", "黄勇"), ("220000001", "周杰"), ("220000002", "吴敏")]
T2_ANNUAL = [(D(97), D(96), D(95), D(96)), (D(92), D(93), D(94), D(95)), (D(92), D(93), D(94), D(95)), (D(90),) * 4,
             (D(80),) * 4, (D(87),) * 4, (D(60), D(55), D(60), D(65)), (D(96),) * 4, (D(85),) * 4]
T2_QUARTERS = {
    # vetoed (党纪政纪处分), the best total
    "210000001": [quarter(100, 0, 98, None, None, 291, 0, 2, 196, 6, 580, 99, 94, 5, 485, 99, 95)] * 4,
    # 210000002 and 210000003 are equal on every ranking key
    "210000002": SAME,
    "210000003": SAME,
    "210000004": [quarter(95, 0, 92, None, None, 270, 0, 2, 180, 6, 540, 95, 85, 5, 450, 95, 85)] * 4,
    # 210000005 and 210000006: the same total, 210000005 has the higher KPI
    # (210000006's 7 more points in the annual assessment make up for 1.4 less of KPI x 50%)
    "210000005": [quarter(90, 0, 90, None, None, 240, 0, 2, 160, 5, 400, 90, 70, 0, None, None, None)] * 4,
    "210000006": [quarter(86, 0, 86, None, None, 240, 0, 2, 160, 5, 400, 90, 70, 0, None, None, None)] * 4,
    "210000007": [quarter(60, 3, 60, None, None, 180, 1, 2, 120, 5, 300, 70, 50, 0, None, None, None)] * 4,
    # a department of two: 15% of 2 rounds down to no 优秀 place
    "220000001": [quarter(100, 0, 97, None, None, 288, 0, 2, 194, 6, 580, 99, 94, 5, 480, 98, 94)] * 4,
    "220000002": [quarter(88, 1, None, None, None, 255, 0, 1, 85, 3, 255, 90, 80, 0, None, None, None)] * 4,
}
T2_EVENTS = {"210000001": [("2024-05-06", "纪检监察", "党纪政纪处分", "直接责任", None)]}
T2 = {pid: person(a, T2_QUARTERS[pid], events=T2_EVENTS.get(pid, ())) for (pid, _), a in zip(T2_NAMES, T2_ANNUAL)}

# ---- test 3: deductions and the bonus ----
FLAT = [quarter(100, 0, None, None, None, 285, 0, 2, 190, 5, 475, 95, 95, 0, None, None, None)] * 4
T3_EVENTS1 = [
    ("2024-02-11", "纪检监察", "诫勉谈话", "直接责任", None),
    ("2024-06-02", "纪检监察", "函询属实", "领导责任", None),
    ("2024-03-18", "干部监督", "组织处理", "领导责任", None),
    ("2024-05-07", "干部监督", "明察暗访违纪", "直接责任", None),
    ("2024-04-01", "信访", "有效投诉", "直接责任", None),
    ("2024-03-30", "审计", "审计查出问题", "直接责任", "2024-06-28"),
    ("2024-03-30", "审计", "审计查出问题", "直接责任", "2024-06-29"),
    ("2024-06-15", "行政复议", "被撤销变更或确认违法", "领导责任", None),
    ("2024-09-25", "行政诉讼", "负责人不出庭应诉", "领导责任", None),
    ("2024-10-25", "行政诉讼", "败诉", "直接责任", None),
]
T3_EVENTS2 = [
    ("2024-01-10", "纪检监察", "诫勉谈话", "直接责任", None),
    ("2024-02-10", "纪检监察", "诫勉谈话", "直接责任", None),
    ("2024-03-10", "纪检监察", "函询属实", "直接责任", None),
    ("2024-04-10", "信访", "有效投诉", "直接责任", None),
    ("2024-04-11", "信访", "有效投诉", "直接责任", None),
    ("2024-04-12", "信访", "有效投诉", "直接责任", None),
    ("2024-04-13", "信访", "有效投诉", "直接责任", None),
    ("2024-07-01", "反贪", "立案侦查", "直接责任", None),
]
T3 = {
    "310000001": person((D(95),) * 4, FLAT, events=T3_EVENTS1, awards=["市级", "省级"]),
    "310000002": person((D(95),) * 4, FLAT, events=T3_EVENTS2, awards=["国家级", "市级"]),
}


def cell(x):
    if x is None:
        return "null"
    return str(x)


def block(units, quarters, events=(), awards=()):
    """The `data` lines of a test block (printed, to paste into the scheme)."""
    out = ["    data 公务员 (工号, 姓名, 部门, 处室, 职级, 年度德, 年度能, 年度勤, 年度廉) {"]
    for pid, name, dept, office, rank, annual in units:
        out.append(f'        ("{pid}", "{name}", "{dept}", "{office}", "{rank}", ' + ", ".join(cell(a) for a in annual) + ")")
    out.append("    }")
    out.append("    data 季报 (工号, 季度, 质量达标率, 逾期天数, 满意率, 预算, 实际支出, 月评合计, 月报逾期, 领导人数, 领导合计, "
               "同事人数, 同事合计, 同事最高, 同事最低, 对象人数, 对象合计, 对象最高, 对象最低) {")
    for pid, qs in quarters:
        for i, q in enumerate(qs):
            out.append(f'        ("{pid}", "Q{i + 1}", ' + ", ".join(cell(c) for c in q) + ")")
    out.append("    }")
    if events:
        out.append("    data 监督信息 (工号, 日期, 来源, 情形, 责任, 文号, 整改完成日期) {")
        for pid, (date, src, kind, resp, fixed), num in events:
            out.append(f'        ("{pid}", {date}, "{src}", "{kind}", "{resp}", "{num}", {fixed or "null"})')
        out.append("    }")
    if awards:
        out.append("    data 工作成果 (工号, 成果名称, 级别) {")
        for pid, title, level in awards:
            out.append(f'        ("{pid}", "{title}", "{level}")')
        out.append("    }")
    return "\n".join(out)


if __name__ == "__main__":
    show("test 1", T1)
    show("test 2", T2)
    show("test 3", T3)
    # The data lines of the three test blocks, from the same rows as above.
    print(block([("110000001", "张伟", "安平县财政局", "办公室", "科员", (D("88.5"), D(90), D("86.25"), D(95)))],
                [("110000001", T1_QUARTERS)]))
    print(block([(pid, name, "临川区教育局" if pid[1] == "1" else "临川区档案馆", "基础教育科" if pid[1] == "1" else "办公室", "科员", a)
                 for (pid, name), a in zip(T2_NAMES, T2_ANNUAL)],
                [(pid, T2_QUARTERS[pid]) for pid, _ in T2_NAMES],
                events=[("210000001", ("2024-05-06", "纪检监察", "党纪政纪处分", "直接责任", None), "临纪发〔2024〕21号")]))
    print(block([("310000001", "孙悦", "长兴县城管局", "法规科", "科级", (D(95),) * 4), ("310000002", "马丽", "长兴县城管局", "执法一科", "科员", (D(95),) * 4)],
                [("310000001", FLAT), ("310000002", FLAT)],
                events=[(pid, e, f"长监〔2024〕{i + 1}号") for i, (pid, e) in enumerate([("310000001", e) for e in T3_EVENTS1] + [("310000002", e) for e in T3_EVENTS2])],
                awards=[("310000001", "城管执法规范化经验", "市级"), ("310000001", "数字城管平台建设", "省级"),
                        ("310000002", "违建治理专项行动", "国家级"), ("310000002", "街面秩序整治", "市级")]))
