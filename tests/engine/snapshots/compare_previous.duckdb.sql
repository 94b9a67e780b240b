WITH "t9" AS (
  SELECT
    "t8"."period_index",
    COALESCE("t8"."channel", '(not set)') AS "channel",
    SUM("t8"."clicks") AS "m0",
    SUM("t8"."impressions") AS "m1",
    SUM("t8"."cost") AS "m2"
  FROM (
    SELECT
      "t7"."date",
      "t7"."platform",
      "t7"."account",
      "t7"."channel",
      "t7"."campaign_id",
      "t7"."campaign",
      "t7"."ad_group",
      "t7"."ad",
      "t7"."currency",
      "t7"."impressions",
      "t7"."clicks",
      "t7"."cost",
      "t7"."conversions",
      "t7"."conversion_value",
      "t7"."reach",
      "t7"."video_views",
      "t7"."engagements",
      "t7"."leads",
      "t7"."_import_id",
      "t3"."period_index"
    FROM (
      SELECT
        *
      FROM "ad_performance" AS "t1"
      WHERE
        "t1"."date" BETWEEN MAKE_DATE(2024, 3, 1) AND MAKE_DATE(2024, 6, 30)
    ) AS "t7"
    INNER JOIN "memtable_1" AS "t3"
      ON "t7"."date" = "t3"."date"
  ) AS "t8"
  GROUP BY
    1,
    2
)
SELECT
  "t14"."period_index",
  "t14"."channel",
  COALESCE(CAST("t14"."m0" AS DOUBLE), 0.0) / NULLIF(COALESCE(CAST("t14"."m1" AS DOUBLE), 0.0), 0) AS "value_0",
  COALESCE(CAST("t14"."m0" AS DOUBLE), 0.0) AS "numerator_0",
  COALESCE(CAST("t14"."m1" AS DOUBLE), 0.0) AS "denominator_0",
  COALESCE("t14"."m2", 0.0) AS "value_1"
FROM (
  SELECT
    "t5"."period_index",
    "t13"."channel",
    "t11"."m0",
    "t11"."m1",
    "t11"."m2"
  FROM (
    SELECT
      "t0"."period_index"
    FROM "memtable_2" AS "t0"
  ) AS "t5"
  CROSS JOIN (
    SELECT DISTINCT
      "t10"."channel"
    FROM "t9" AS "t10"
  ) AS "t13"
  LEFT OUTER JOIN "t9" AS "t11"
    ON "t5"."period_index" = "t11"."period_index" AND "t13"."channel" = "t11"."channel"
) AS "t14"
ORDER BY
  "t14"."period_index" ASC,
  "t14"."channel" ASC
