WITH "t8" AS (
  SELECT
    "t7"."period_index",
    COALESCE("t7"."channel", '(not set)') AS "channel",
    SUM("t7"."clicks") AS "m0",
    SUM("t7"."impressions") AS "m1",
    SUM("t7"."cost") AS "m2"
  FROM (
    SELECT
      "t6"."date",
      "t6"."platform",
      "t6"."account",
      "t6"."channel",
      "t6"."campaign_id",
      "t6"."campaign",
      "t6"."ad_group",
      "t6"."ad",
      "t6"."currency",
      "t6"."impressions",
      "t6"."clicks",
      "t6"."cost",
      "t6"."conversions",
      "t6"."conversion_value",
      "t6"."reach",
      "t6"."video_views",
      "t6"."engagements",
      "t6"."leads",
      "t6"."_import_id",
      "t2"."period_index",
      "t2"."period_start",
      "t2"."period_end"
    FROM (
      SELECT
        *
      FROM "ad_performance" AS "t1"
      WHERE
        "t1"."date" BETWEEN MAKE_DATE(2024, 3, 1) AND MAKE_DATE(2024, 6, 30)
    ) AS "t6"
    INNER JOIN "memtable_1" AS "t2"
      ON "t6"."date" >= "t2"."period_start" AND "t6"."date" <= "t2"."period_end"
  ) AS "t7"
  GROUP BY
    1,
    2
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
    "t4"."period_index",
    "t12"."channel",
    "t10"."m0",
    "t10"."m1",
    "t10"."m2"
  FROM (
    SELECT
      "t0"."period_index"
    FROM "memtable_1" AS "t0"
  ) AS "t4"
  CROSS JOIN (
    SELECT DISTINCT
      "t9"."channel"
    FROM "t8" AS "t9"
  ) AS "t12"
  LEFT OUTER JOIN "t8" AS "t10"
    ON "t4"."period_index" = "t10"."period_index" AND "t12"."channel" = "t10"."channel"
) AS "t13"
ORDER BY
  "t13"."period_index" ASC,
  "t13"."channel" ASC
