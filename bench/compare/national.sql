-- rules/national_individual.kh as DuckDB SQL (the DuckDB CLI from PyPI: `pip install duckdb-cli`).
--
-- bench/compare/run.py replaces {DATA} with the data folder and {OUT} with the
-- output file, then pipes this to `duckdb`. Written as an analyst would write
-- it: inputs are DECIMAL (exact), but DuckDB divides decimals in floating
-- point (DECIMAL / DECIMAL is DOUBLE), so every division and everything after
-- it (means, weighted sums, the total) is a DOUBLE; the comparison marks the
-- figures that come out different from the exact ones. The output has
-- kaohe's columns (values, not kaohe's byte layout: no BOM, LF, floats as
-- DuckDB prints them).

SET threads = 2;

COPY (
WITH
units AS (
    SELECT * FROM read_csv('{DATA}/公务员.csv', header = true, columns = {
        '工号': 'VARCHAR', '姓名': 'VARCHAR', '部门': 'VARCHAR', '处室': 'VARCHAR', '职级': 'VARCHAR',
        '年度德': 'DECIMAL(18,4)', '年度能': 'DECIMAL(18,4)', '年度勤': 'DECIMAL(18,4)', '年度廉': 'DECIMAL(18,4)'})
),
quarters AS (
    SELECT * FROM read_csv('{DATA}/季报.csv', header = true, columns = {
        '工号': 'VARCHAR', '季度': 'VARCHAR', '质量达标率': 'DECIMAL(18,4)', '逾期天数': 'INTEGER',
        '满意率': 'DECIMAL(18,4)', '预算': 'DECIMAL(18,4)', '实际支出': 'DECIMAL(18,4)',
        '月评合计': 'DECIMAL(18,4)', '月报逾期': 'INTEGER', '领导人数': 'INTEGER', '领导合计': 'DECIMAL(18,4)',
        '同事人数': 'INTEGER', '同事合计': 'DECIMAL(18,4)', '同事最高': 'DECIMAL(18,4)', '同事最低': 'DECIMAL(18,4)',
        '对象人数': 'INTEGER', '对象合计': 'DECIMAL(18,4)', '对象最高': 'DECIMAL(18,4)', '对象最低': 'DECIMAL(18,4)'})
),
cases AS (
    SELECT * FROM read_csv('{DATA}/监督信息.csv', header = true, columns = {
        '工号': 'VARCHAR', '日期': 'DATE', '来源': 'VARCHAR', '情形': 'VARCHAR', '责任': 'VARCHAR',
        '文号': 'VARCHAR', '整改完成日期': 'DATE'})
),
awards AS (
    SELECT * FROM read_csv('{DATA}/工作成果.csv', header = true, columns = {
        '工号': 'VARCHAR', '成果名称': 'VARCHAR', '级别': 'VARCHAR'})
),
-- The eight per-quarter leaves.
leaves_q AS (
    SELECT
        工号,
        least(质量达标率, 100) AS 质量,
        greatest(100 - coalesce(逾期天数, 0) * 5, 0) AS 时限,
        coalesce(满意率, least(质量达标率, 100)) AS 满意度,
        CASE
            WHEN 预算 IS NOT NULL AND 实际支出 IS NOT NULL AND 预算 > 0 THEN
                CASE
                    WHEN 实际支出 / 预算 <= 1 THEN 100
                    WHEN 实际支出 / 预算 < 1.5 THEN round(100 - (实际支出 - 预算) * 200 / 预算, 2)
                    ELSE 0
                END
            ELSE least(质量达标率, 100)
        END AS 成本,
        greatest(round((月评合计 - coalesce(月报逾期, 0) * 10) / 3, 2), 0) AS 月总结,
        round(领导合计 / 领导人数, 2) AS 领导评价,
        round(CASE WHEN 同事人数 >= 5 THEN (同事合计 - 同事最高 - 同事最低) / (同事人数 - 2)
                   ELSE 同事合计 / 同事人数 END, 2) AS 同事评价,
        round(CASE WHEN coalesce(对象人数, 0) >= 5 THEN (对象合计 - 对象最高 - 对象最低) / (对象人数 - 2)
                   WHEN 对象人数 > 0 THEN 对象合计 / 对象人数
                   ELSE 领导合计 / 领导人数 END, 2) AS 服务对象评价
    FROM quarters
),
-- Each quarter weighs 25%: the mean of the four.
leaves AS (
    SELECT 工号, avg(质量) AS 质量, avg(时限) AS 时限, avg(满意度) AS 满意度, avg(成本) AS 成本, avg(月总结) AS 月总结,
           avg(领导评价) AS 领导评价, avg(同事评价) AS 同事评价, avg(服务对象评价) AS 服务对象评价
    FROM leaves_q GROUP BY 工号
),
deductions AS (
    SELECT
        工号,
        least(coalesce(sum(CASE WHEN 来源 = '纪检监察' AND 情形 IN ('诫勉谈话', '函询属实') THEN 5 * f END), 0), 10)
      + least(coalesce(sum(CASE WHEN 来源 = '干部监督' AND 情形 = '组织处理' THEN 3 * f
                                WHEN 来源 = '干部监督' AND 情形 = '明察暗访违纪' THEN 1 * f END), 0), 6)
      + least(coalesce(sum(CASE WHEN 来源 = '信访' AND 情形 = '有效投诉' THEN 2 * f END), 0), 10)
      + least(coalesce(sum(CASE WHEN 来源 = '审计' AND 情形 = '审计查出问题'
                                THEN 2 * f * CASE WHEN 整改完成日期 IS NOT NULL AND 整改完成日期 - 日期 <= 90 THEN 0.5 ELSE 1 END END), 0), 6)
      + least(coalesce(sum(CASE WHEN 来源 = '行政复议' AND 情形 = '被撤销变更或确认违法' THEN 3 * f END), 0), 9)
      + least(coalesce(sum(CASE WHEN 来源 = '行政诉讼' AND 情形 = '败诉' THEN 3 * f
                                WHEN 来源 = '行政诉讼' AND 情形 = '负责人不出庭应诉' THEN 1 END), 0), 9) AS 扣分,
        bool_or(来源 = '纪检监察' AND 情形 = '党纪政纪处分') AS 受处分,
        bool_or(来源 = '反贪' AND 情形 = '立案侦查') AS 立案侦查
    FROM (SELECT *, CASE WHEN 责任 = '领导责任' THEN 0.5 ELSE 1 END AS f FROM cases)
    GROUP BY 工号
),
bonus AS (
    SELECT 工号, least(max(CASE 级别 WHEN '国家级' THEN 5 WHEN '省级' THEN 3 WHEN '市级' THEN 2 ELSE 0 END), 5) AS 加分
    FROM awards GROUP BY 工号
),
scored AS (
    SELECT
        u.工号, u.部门, l.*, u.年度德 AS 德, u.年度能 AS 能, u.年度勤 AS 勤, u.年度廉 AS 廉,
        0.4 * l.质量 + 0.3 * l.时限 + 0.2 * l.满意度 + 0.1 * l.成本 AS 关键绩效,
        0.4 * l.领导评价 + 0.3 * l.同事评价 + 0.3 * l.服务对象评价 AS 季测评,
        0.25 * (u.年度德 + u.年度能 + u.年度勤 + u.年度廉) AS 年度考核,
        coalesce(d.扣分, 0) AS 扣分, coalesce(b.加分, 0) AS 加分,
        coalesce(d.受处分, false) AS 受处分, coalesce(d.立案侦查, false) AS 立案侦查
    FROM units u
    JOIN leaves l USING (工号)
    LEFT JOIN deductions d USING (工号)
    LEFT JOIN bonus b USING (工号)
),
totals AS (
    SELECT *,
        round(least(0.5 * 关键绩效 + 0.1 * 月总结 + 0.2 * 季测评 + 0.2 * 年度考核 - least(扣分, 20) + least(加分, 5), 100), 2) AS 总分,
        受处分 OR 立案侦查 AS 否决
    FROM scored
),
ranked AS (
    SELECT *,
        rank() OVER (ORDER BY 总分 DESC, 关键绩效 DESC, 季测评 DESC) AS 排名,
        rank() OVER (PARTITION BY 部门 ORDER BY 总分 DESC, 关键绩效 DESC, 季测评 DESC) AS 组内排名,
        -- 优秀: at most 15% of the department (rounded down); people tied on every key at the line all get it,
        -- which is: the rank among the department's eligible people is within the quota.
        floor(count(*) OVER (PARTITION BY 部门) * 15 / 100) AS 名额,
        rank() OVER (PARTITION BY 部门 ORDER BY (总分 >= 90 AND NOT 否决) DESC, 总分 DESC, 关键绩效 DESC, 季测评 DESC) AS 候选名次
    FROM totals
)
SELECT
    排名, 组内排名, 工号 AS 单位, 部门 AS 分组1, 总分,
    CASE WHEN 总分 >= 90 AND NOT 否决 AND 候选名次 <= 名额 THEN '优秀'
         WHEN 总分 >= 70 THEN '称职'
         WHEN 总分 >= 60 THEN '基本称职'
         ELSE '不称职' END AS 等次,
    concat_ws('、', CASE WHEN 受处分 THEN '受处分' END, CASE WHEN 立案侦查 THEN '立案侦查' END) AS 一票否决,
    CASE WHEN 否决 THEN '否' ELSE '是' END AS 可评先,
    关键绩效, 质量 AS "关键绩效.质量", 时限 AS "关键绩效.时限", 满意度 AS "关键绩效.满意度", 成本 AS "关键绩效.成本",
    月总结, 季测评, 领导评价 AS "季测评.领导评价", 同事评价 AS "季测评.同事评价", 服务对象评价 AS "季测评.服务对象评价",
    年度考核, 德 AS "年度考核.德", 能 AS "年度考核.能", 勤 AS "年度考核.勤", 廉 AS "年度考核.廉"
FROM ranked
ORDER BY 排名, 单位
) TO '{OUT}' (HEADER, DELIMITER ',');
