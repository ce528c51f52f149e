"""Writes data.xlsx for this case (run from this folder: python3 make.py; needs openpyxl)."""
import datetime

from openpyxl import Workbook

wb = Workbook()
ws = wb.active
ws.title = "说明"
ws.append(["本工作簿为测试数据;此表不对应任何数据表,读取时忽略"])

ws = wb.create_sheet("市区")
ws.append(["名称", "类型"])
for row in [["海陵区", "区"], ["高港区", "区"], ["靖江市", "县级市"]]:
    ws.append(row)

ws = wb.create_sheet("季度进度")
ws.append(["名称", "季度", "完成率"])
rates = [0.95, 1, 0.955, 0.8725, 0.8, 0.825, 0.88, 0.91, 0.7, 0.75, 0.99, 1.0]
i = 0
for unit in ["海陵区", "高港区", "靖江市"]:
    for q in range(1, 5):
        # Quarters as text, and one as the number 4 (a quarter column accepts 1..4).
        ws.append([unit, q if (unit, q) == ("靖江市", 4) else f"Q{q}", rates[i]])
        ws.cell(row=ws.max_row, column=3).number_format = "0.0%"
        i += 1

ws = wb.create_sheet("经济指标")
# The header starts at B2: the used range, not A1, is what counts.
ws["B2"], ws["C2"], ws["D2"] = "名称", "财政收入", "项目数"
for r, (unit, income, count) in enumerate(
    [("海陵区", 0.1 + 0.2, 12), ("高港区", 1234.5, 8.0), ("靖江市", 2 / 3, 3)], start=3
):
    ws.cell(row=r, column=2, value=unit)
    ws.cell(row=r, column=3, value=income)
    ws.cell(row=r, column=4, value=count)

ws = wb.create_sheet("督查记录")
ws.append(["名称", "文号", "日期", "类别", "整改日期", "复查合格", "分值", "摘要"])
ws.append(["海陵区", "泰政督〔2013〕5号", datetime.datetime(2013, 5, 1), "通报批评", "2013年5月20日", True, None, "第一行\n第二行"])
ws.append(["高港区", "泰政督〔2013〕9号", datetime.datetime(2013, 6, 3, 14, 30), "约谈", None, False, 1.5, None])
ws.append(["靖江市", 20130711, "2013/7/11", "约谈", datetime.date(2013, 8, 1), "否", 2, None])

wb.save("data.xlsx")
