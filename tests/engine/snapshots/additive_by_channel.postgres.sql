WITH "t5" AS (
  SELECT
    "t4"."period_index",
    COALESCE("t4"."channel", '(not set)') AS "channel",
    SUM("t4"."cost") AS "m0",
    SUM("t4"."clicks") AS "m1",
    SUM("t4"."impressions") AS "m2"
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
      (
        CAST(EXTRACT(year FROM "t1"."date") - 2024 AS INT) * 12
      ) + CAST(EXTRACT(month FROM "t1"."date") - 1 AS INT) AS "period_index"
    FROM "ad_performance" AS "t1"
    WHERE
      "t1"."date" BETWEEN MAKE_DATE(2024, 1, 1) AND MAKE_DATE(2024, 6, 30)
  ) AS "t4"
  GROUP BY
    1,
    2
)
SELECT
  "t10"."period_index",
  "t10"."channel",
  COALESCE("t10"."m0", 0.0) AS "value_0",
  COALESCE(CAST("t10"."m1" AS DOUBLE PRECISION), 0.0) AS "value_1",
  COALESCE(CAST("t10"."m2" AS DOUBLE PRECISION), 0.0) AS "value_2"
FROM (
  SELECT
    "t3"."period_index",
    "t9"."channel",
    "t7"."m0",
    "t7"."m1",
    "t7"."m2"
  FROM (
    SELECT
      "t0"."period_index"
    FROM "memtable_1" AS "t0"
  ) AS "t3"
  CROSS JOIN (
    SELECT DISTINCT
      "t6"."channel"
    FROM "t5" AS "t6"
  ) AS "t9"
  LEFT OUTER JOIN "t5" AS "t7"
    ON "t3"."period_index" = "t7"."period_index" AND "t9"."channel" = "t7"."channel"
) AS "t10"
ORDER BY
  "t10"."period_index" ASC,
  "t10"."channel" ASC
