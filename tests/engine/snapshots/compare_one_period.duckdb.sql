WITH "t8" AS (
  SELECT
    *
  FROM (
    SELECT
      "t4"."period_index",
      COALESCE("t4"."channel", '(not set)') AS "channel",
      SUM("t4"."clicks") AS "m0",
      SUM("t4"."impressions") AS "m1",
      SUM("t4"."cost") AS "m2"
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
        0 AS "period_index"
      FROM "ad_performance" AS "t1"
      WHERE
        "t1"."date" BETWEEN MAKE_DATE(2024, 5, 1) AND MAKE_DATE(2024, 5, 31)
    ) AS "t4"
    GROUP BY
      1,
      2
  ) AS "t6"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t5"."period_index",
      COALESCE("t5"."channel", '(not set)') AS "channel",
      SUM("t5"."clicks") AS "m0",
      SUM("t5"."impressions") AS "m1",
      SUM("t5"."cost") AS "m2"
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
        1 AS "period_index"
      FROM "ad_performance" AS "t1"
      WHERE
        "t1"."date" BETWEEN MAKE_DATE(2024, 4, 1) AND MAKE_DATE(2024, 4, 30)
    ) AS "t5"
    GROUP BY
      1,
      2
  ) AS "t7"
)
SELECT
  "t13"."period_index",
  "t13"."channel",
  COALESCE(CAST("t13"."m0" AS DOUBLE), 0.0) / NULLIF(COALESCE(CAST("t13"."m1" AS DOUBLE), 0.0), 0) AS "value_0",
  COALESCE(CAST("t13"."m0" AS DOUBLE), 0.0) AS "numerator_0",
  COALESCE(CAST("t13"."m1" AS DOUBLE), 0.0) AS "denominator_0",
  COALESCE("t13"."m2", 0.0) AS "value_1"
FROM (
  SELECT
    "t3"."period_index",
    "t12"."channel",
    "t10"."m0",
    "t10"."m1",
    "t10"."m2"
  FROM (
    SELECT
      "t0"."period_index"
    FROM "memtable_1" AS "t0"
  ) AS "t3"
  CROSS JOIN (
    SELECT DISTINCT
      "t9"."channel"
    FROM "t8" AS "t9"
  ) AS "t12"
  LEFT OUTER JOIN "t8" AS "t10"
    ON "t3"."period_index" = "t10"."period_index" AND "t12"."channel" = "t10"."channel"
) AS "t13"
ORDER BY
  "t13"."period_index" ASC,
  "t13"."channel" ASC
