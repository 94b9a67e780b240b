WITH "t5" AS (
  SELECT
    "t4"."period_index",
    COALESCE("t4"."ad", '(not set)') AS "ad",
    SUM("t4"."reach") AS "m0",
    SUM("t4"."video_views") AS "m1",
    SUM("t4"."impressions") FILTER(WHERE
      "t4"."video_views" IS NOT NULL) AS "m2",
    SUM("t4"."clicks") AS "m3",
    COUNT(*) AS "lack_m0_rows",
    COUNT("t4"."reach") AS "lack_m0_known",
    COUNT(*) AS "lack_m1_rows",
    COUNT("t4"."video_views") AS "lack_m1_known",
    COUNT(*) FILTER(WHERE
      "t4"."reach" IS NULL) AS "lack_0_ad_performance",
    COUNT(*) FILTER(WHERE
      "t4"."video_views" IS NULL) AS "lack_1_ad_performance",
    COUNT(*) FILTER(WHERE
      "t4"."video_views" IS NULL) AS "lack_2_ad_performance"
  FROM (
    SELECT
      "t1"."date",
      "t1"."platform",
      "t1"."account",
      "t1"."channel",
      "t1"."campaign_id",
      "t1"."campaign",
      "t1"."ad_group",
      "t1"."ad",
      "t1"."currency",
      "t1"."impressions",
      "t1"."clicks",
      "t1"."cost",
      "t1"."conversions",
      "t1"."conversion_value",
      "t1"."reach",
      "t1"."video_views",
      "t1"."engagements",
      "t1"."leads",
      "t1"."_import_id",
      CAST(CAST(EXTRACT(epoch FROM CAST("t1"."date" AS TIMESTAMP) - CAST(MAKE_DATE(2024, 3, 1) AS TIMESTAMP)) / 86400 AS BIGINT) AS INT) AS "period_index"
    FROM "ad_performance" AS "t1"
    WHERE
      "t1"."date" BETWEEN MAKE_DATE(2024, 3, 1) AND MAKE_DATE(2024, 3, 10)
  ) AS "t4"
  GROUP BY
    1,
    2
)
SELECT
  "t11"."period_index",
  "t11"."ad",
  "t11"."m0" AS "value_0",
  COALESCE("t11"."lack_0_ad_performance", 0) AS "missing_0",
  "t11"."m1" AS "value_1",
  COALESCE("t11"."lack_1_ad_performance", 0) AS "missing_1",
  CAST("t11"."m1" AS DOUBLE PRECISION) / NULLIF("t11"."m2", 0) AS "value_2",
  "t11"."m1" AS "numerator_2",
  "t11"."m2" AS "denominator_2",
  COALESCE("t11"."lack_2_ad_performance", 0) AS "missing_2",
  "t11"."m3" AS "value_3"
FROM (
  SELECT
    "t10"."period_index",
    "t10"."ad",
    CASE
      WHEN (
        COALESCE("t10"."lack_m0_rows", 0) > 0
      )
      AND (
        COALESCE("t10"."lack_m0_known", 0) = 0
      )
      THEN CAST(NULL AS DOUBLE PRECISION)
      ELSE COALESCE(CAST("t10"."m0" AS DOUBLE PRECISION), 0.0)
    END AS "m0",
    CASE
      WHEN (
        COALESCE("t10"."lack_m1_rows", 0) > 0
      )
      AND (
        COALESCE("t10"."lack_m1_known", 0) = 0
      )
      THEN CAST(NULL AS DOUBLE PRECISION)
      ELSE COALESCE(CAST("t10"."m1" AS DOUBLE PRECISION), 0.0)
    END AS "m1",
    COALESCE(CAST("t10"."m2" AS DOUBLE PRECISION), 0.0) AS "m2",
    COALESCE(CAST("t10"."m3" AS DOUBLE PRECISION), 0.0) AS "m3",
    "t10"."lack_m0_rows",
    "t10"."lack_m0_known",
    "t10"."lack_m1_rows",
    "t10"."lack_m1_known",
    "t10"."lack_0_ad_performance",
    "t10"."lack_1_ad_performance",
    "t10"."lack_2_ad_performance"
  FROM (
    SELECT
      "t3"."period_index",
      "t9"."ad",
      "t7"."m0",
      "t7"."m1",
      "t7"."m2",
      "t7"."m3",
      "t7"."lack_m0_rows",
      "t7"."lack_m0_known",
      "t7"."lack_m1_rows",
      "t7"."lack_m1_known",
      "t7"."lack_0_ad_performance",
      "t7"."lack_1_ad_performance",
      "t7"."lack_2_ad_performance"
    FROM (
      SELECT
        "t0"."period_index"
      FROM "memtable_1" AS "t0"
    ) AS "t3"
    CROSS JOIN (
      SELECT DISTINCT
        "t6"."ad"
      FROM "t5" AS "t6"
    ) AS "t9"
    LEFT OUTER JOIN "t5" AS "t7"
      ON "t3"."period_index" = "t7"."period_index" AND "t9"."ad" = "t7"."ad"
  ) AS "t10"
) AS "t11"
ORDER BY
  "t11"."period_index" ASC,
  "t11"."ad" ASC
