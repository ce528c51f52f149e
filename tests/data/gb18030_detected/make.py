"""Writes the GB18030 files of this case (run from this folder: python3 make.py)."""

gb = {
    "市区.csv": "名称,类型\r\n海陵区,区\r\n高港区,区\r\n靖江市,县级市\r\n",
    "督查记录.csv": (
        "名称,文号,日期,类别,整改日期,复查合格,分值,摘要\r\n"
        "海陵区,泰政督〔2013〕5号,2013年5月1日,通报批评,2013年5月20日,是,,整改到位①\r\n"
        "靖江市,泰政督〔2013〕7号,2013年5月9日,约谈,,否,,“限期整改”\r\n"
    ),
}
utf8 = {
    "季度进度.csv": "名称,季度,完成率\n"
    + "".join(f"{u},Q{q},{90 + q}%\n" for u in ["海陵区", "高港区", "靖江市"] for q in range(1, 5)),
    "经济指标.csv": "名称,财政收入,项目数\n海陵区,1234.5,12\n高港区,987.6,8\n靖江市,2001.25,3\n",
}
for name, text in gb.items():
    data = text.encode("gb18030")
    try:
        data.decode("utf-8")
        raise SystemExit(f"{name}: GB18030 bytes are valid UTF-8, the case would show nothing")
    except UnicodeDecodeError:
        pass
    open(name, "wb").write(data)
for name, text in utf8.items():
    open(name, "w", encoding="utf-8", newline="").write(text)
