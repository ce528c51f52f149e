#!/usr/bin/env python3
"""rules/national_individual.kh in pandas, as an analyst would write it.

    python3 national_pandas.py DATA_DIR OUT.csv

Numbers are read as float64 (pandas' default), so every figure is binary
floating point: the comparison (bench/compare/run.py) marks where that comes
out different from the exact decimal result. Rounding is half-up as the
scheme says, written the usual way (floor(x * 100 + 0.5) / 100) because
pandas' own .round() rounds half to even; on floats that is still not exact
(86.665 may be stored as 86.66499999…). The output has kaohe's columns (the
values, not kaohe's byte layout).
"""

import sys

import numpy as np
import pandas as pd


def round2(x):
    """Half-up to 2 places on floats (sign-aware)."""
    return np.sign(x) * np.floor(np.abs(x) * 100 + 0.5) / 100


def main(data, out):
    units = pd.read_csv(f"{data}/公务员.csv", dtype={"工号": str, "部门": str})
    q = pd.read_csv(f"{data}/季报.csv", dtype={"工号": str})
    cases = pd.read_csv(f"{data}/监督信息.csv", dtype={"工号": str}, parse_dates=["日期", "整改完成日期"])
    awards = pd.read_csv(f"{data}/工作成果.csv", dtype={"工号": str})

    # The eight per-quarter leaves.
    quality = np.minimum(q["质量达标率"], 100)
    late = q["逾期天数"].fillna(0)
    leaves = pd.DataFrame({"工号": q["工号"]})
    leaves["质量"] = quality
    leaves["时限"] = np.maximum(100 - late * 5, 0)
    leaves["满意度"] = q["满意率"].where(q["满意率"].notna(), quality)
    has_budget = q["预算"].notna() & q["实际支出"].notna() & (q["预算"] > 0)
    ratio = q["实际支出"] / q["预算"]
    over = round2(100 - (q["实际支出"] - q["预算"]) * 200 / q["预算"])
    cost = np.where(ratio <= 1, 100.0, np.where(ratio < 1.5, over, 0.0))
    leaves["成本"] = np.where(has_budget, cost, quality)
    leaves["月总结"] = np.maximum(round2((q["月评合计"] - q["月报逾期"].fillna(0) * 10) / 3), 0)
    leader = round2(q["领导合计"] / q["领导人数"])
    leaves["领导评价"] = leader
    peers_trimmed = (q["同事合计"] - q["同事最高"] - q["同事最低"]) / (q["同事人数"] - 2)
    leaves["同事评价"] = round2(np.where(q["同事人数"] >= 5, peers_trimmed, q["同事合计"] / q["同事人数"]))
    served = q["对象人数"].fillna(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        served_trimmed = (q["对象合计"] - q["对象最高"] - q["对象最低"]) / (served - 2)
        served_mean = q["对象合计"] / served
    leaves["服务对象评价"] = round2(np.where(served >= 5, served_trimmed, np.where(served > 0, served_mean, leader)))
    # Each quarter weighs 25%: the mean of the four.
    leaf = leaves.groupby("工号", sort=False).mean()

    # Deductions from the total, each source capped, all capped at 20.
    f = np.where(cases["责任"] == "领导责任", 0.5, 1.0)
    src, kind = cases["来源"], cases["情形"]
    rectified = cases["整改完成日期"].notna() & ((cases["整改完成日期"] - cases["日期"]).dt.days <= 90)
    amounts = pd.DataFrame({"工号": cases["工号"]})
    amounts["纪检监察"] = np.where((src == "纪检监察") & kind.isin(["诫勉谈话", "函询属实"]), 5 * f, 0)
    amounts["干部监督"] = np.where((src == "干部监督") & (kind == "组织处理"), 3 * f, 0) + np.where(
        (src == "干部监督") & (kind == "明察暗访违纪"), 1 * f, 0
    )
    amounts["信访"] = np.where((src == "信访") & (kind == "有效投诉"), 2 * f, 0)
    amounts["审计"] = np.where((src == "审计") & (kind == "审计查出问题"), 2 * f * np.where(rectified, 0.5, 1.0), 0)
    amounts["行政复议"] = np.where((src == "行政复议") & (kind == "被撤销变更或确认违法"), 3 * f, 0)
    amounts["行政诉讼"] = np.where((src == "行政诉讼") & (kind == "败诉"), 3 * f, 0) + np.where(
        (src == "行政诉讼") & (kind == "负责人不出庭应诉"), 1, 0
    )
    amounts["受处分"] = (src == "纪检监察") & (kind == "党纪政纪处分")
    amounts["立案侦查"] = (src == "反贪") & (kind == "立案侦查")
    per = amounts.groupby("工号", sort=False).agg(
        {"纪检监察": "sum", "干部监督": "sum", "信访": "sum", "审计": "sum", "行政复议": "sum", "行政诉讼": "sum", "受处分": "any", "立案侦查": "any"}
    )
    caps = {"纪检监察": 10, "干部监督": 6, "信访": 10, "审计": 6, "行政复议": 9, "行政诉讼": 9}
    per["扣分"] = np.minimum(sum(np.minimum(per[k], c) for k, c in caps.items()), 20)

    points = awards["级别"].map({"国家级": 5, "省级": 3, "市级": 2}).fillna(0)
    bonus = np.minimum(points.groupby(awards["工号"], sort=False).max(), 5).rename("加分")

    t = units.set_index("工号").join(leaf).join(per[["扣分", "受处分", "立案侦查"]]).join(bonus)
    t[["扣分", "加分"]] = t[["扣分", "加分"]].fillna(0)
    t[["受处分", "立案侦查"]] = t[["受处分", "立案侦查"]].fillna(False).astype(bool)
    t["关键绩效"] = 0.4 * t["质量"] + 0.3 * t["时限"] + 0.2 * t["满意度"] + 0.1 * t["成本"]
    t["季测评"] = 0.4 * t["领导评价"] + 0.3 * t["同事评价"] + 0.3 * t["服务对象评价"]
    t["年度考核"] = 0.25 * (t["年度德"] + t["年度能"] + t["年度勤"] + t["年度廉"])
    exact = 0.5 * t["关键绩效"] + 0.1 * t["月总结"] + 0.2 * t["季测评"] + 0.2 * t["年度考核"] - t["扣分"] + np.minimum(t["加分"], 5)
    t["总分"] = round2(np.minimum(exact, 100))
    t["否决"] = t["受处分"] | t["立案侦查"]

    # Ranking: total, then KPI, then 360°, competition ranks; ties listed by key.
    t = t.reset_index().sort_values(["总分", "关键绩效", "季测评", "工号"], ascending=[False, False, False, True], kind="stable")
    keys = t[["总分", "关键绩效", "季测评"]]
    new = keys.ne(keys.shift()).any(axis=1)
    position = np.arange(1, len(t) + 1)
    t["排名"] = pd.Series(np.where(new, position, 0), index=t.index).replace(0, np.nan).ffill().astype(int)
    grp = t.groupby("部门", sort=False)
    pos_in_group = grp.cumcount() + 1
    # Within the department, a new key group starts a new rank (keys compared with the previous member).
    prev_keys = grp[["总分", "关键绩效", "季测评"]].shift()
    gnew = keys.ne(prev_keys).any(axis=1)
    t["组内排名"] = pd.Series(np.where(gnew, pos_in_group, np.nan), index=t.index).groupby(t["部门"]).ffill().astype(int)

    # 优秀: at most 15% of the department, rounded down; a tie on every key at the line all get it
    # (the competition rank among the department's eligible people is within the quota).
    size = grp["工号"].transform("size")
    quota = np.floor(size * 15 / 100)
    eligible = (t["总分"] >= 90) & ~t["否决"]
    e = t[eligible]
    ekeys = e[["总分", "关键绩效", "季测评"]]
    eprev = e.groupby("部门", sort=False)[["总分", "关键绩效", "季测评"]].shift()
    epos = e.groupby("部门", sort=False).cumcount() + 1
    erank = pd.Series(np.where(ekeys.ne(eprev).any(axis=1), epos, np.nan), index=e.index).groupby(e["部门"]).ffill()
    excellent = pd.Series(False, index=t.index)
    excellent[e.index] = erank <= quota[e.index]
    t["等次"] = np.where(excellent, "优秀", np.where(t["总分"] >= 70, "称职", np.where(t["总分"] >= 60, "基本称职", "不称职")))
    t["一票否决"] = np.where(t["受处分"] & t["立案侦查"], "受处分、立案侦查", np.where(t["受处分"], "受处分", np.where(t["立案侦查"], "立案侦查", "")))
    t["可评先"] = np.where(t["否决"], "否", "是")

    out_cols = {
        "排名": "排名", "组内排名": "组内排名", "工号": "单位", "部门": "分组1", "总分": "总分", "等次": "等次", "一票否决": "一票否决",
        "可评先": "可评先", "关键绩效": "关键绩效", "质量": "关键绩效.质量", "时限": "关键绩效.时限", "满意度": "关键绩效.满意度",
        "成本": "关键绩效.成本", "月总结": "月总结", "季测评": "季测评", "领导评价": "季测评.领导评价", "同事评价": "季测评.同事评价",
        "服务对象评价": "季测评.服务对象评价", "年度考核": "年度考核", "年度德": "年度考核.德", "年度能": "年度考核.能",
        "年度勤": "年度考核.勤", "年度廉": "年度考核.廉",
    }
    t = t.sort_values(["排名", "工号"], kind="stable")
    t[list(out_cols)].rename(columns=out_cols).to_csv(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
