WITH "t7" AS (
  SELECT
    "t5"."period_index",
    COALESCE("t5"."channel", '(not set)') AS "channel",
    SUM("t5"."cost") AS "m0",
    SUM("t5"."conversions") AS "m1"
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
      "t1"."date" BETWEEN MAKE_DATE(2024, 1, 1) AND MAKE_DATE(2024, 6, 30)
  ) AS "t5"
  GROUP BY
    1,
    2
), "t8" AS (
  SELECT
    "t6"."period_index",
    COALESCE("t6"."channel", '(not set)') AS "channel",
    SUM("t6"."revenue") AS "m2"
  FROM (
    SELECT
      "t2"."order_id",
      "t2"."order_date",
      "t2"."customer_id",
      "t2"."channel",
      "t2"."campaign",
      "t2"."revenue",
      "t2"."currency",
      "t2"."is_new_customer",
      "t2"."_import_id",
      0 AS "period_index"
    FROM "orders" AS "t2"
    WHERE
      "t2"."order_date" BETWEEN MAKE_DATE(2024, 1, 1) AND MAKE_DATE(2024, 6, 30)
  ) AS "t6"
  GROUP BY
    1,
    2
)
SELECT
  "t18"."period_index",
  "t18"."channel",
  "t18"."m0" AS "value_0",
  "t18"."m0" / NULLIF("t18"."m1", 0) AS "value_1",
  "t18"."m0" AS "numerator_1",
  "t18"."m1" AS "denominator_1",
  "t18"."m2" / NULLIF("t18"."m0", 0) AS "value_2",
  "t18"."m2" AS "numerator_2",
  "t18"."m0" AS "denominator_2",
  "t18"."m2" AS "value_3"
FROM (
  SELECT
    "t17"."period_index",
    "t17"."channel",
    COALESCE("t17"."m0", 0.0) AS "m0",
    COALESCE("t17"."m1", 0.0) AS "m1",
    COALESCE("t17"."m2", 0.0) AS "m2"
  FROM (
    SELECT
      "t4"."period_index",
      "t16"."channel",
      "t11"."m0",
      "t11"."m1",
      "t12"."m2"
    FROM (
      SELECT
        "t0"."period_index"
      FROM "memtable_1" AS "t0"
    ) AS "t4"
    CROSS JOIN (
      SELECT
        *
      FROM (
        SELECT DISTINCT
          "t9"."channel"
        FROM "t7" AS "t9"
      ) AS "t13"
      UNION
      SELECT
        *
      FROM (
        SELECT
          "t10"."channel"
        FROM "t8" AS "t10"
      ) AS "t14"
    ) AS "t16"
    LEFT OUTER JOIN "t7" AS "t11"
      ON "t4"."period_index" = "t11"."period_index" AND "t16"."channel" = "t11"."channel"
    LEFT OUTER JOIN "t8" AS "t12"
      ON "t4"."period_index" = "t12"."period_index" AND "t16"."channel" = "t12"."channel"
  ) AS "t17"
) AS "t18"
ORDER BY
  "t18"."period_index" ASC,
  "t18"."channel" ASC
