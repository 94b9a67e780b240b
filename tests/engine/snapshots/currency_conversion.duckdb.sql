SELECT
  "t12"."period_index",
  "t12"."m0" AS "value_0",
  "t12"."m0" / NULLIF("t12"."m1", 0) AS "value_1",
  "t12"."m0" AS "numerator_1",
  "t12"."m1" AS "denominator_1",
  "t12"."m2" / NULLIF("t12"."m0", 0) AS "value_2",
  "t12"."m2" AS "numerator_2",
  "t12"."m0" AS "denominator_2"
FROM (
  SELECT
    "t11"."period_index",
    COALESCE("t11"."m0", 0.0) AS "m0",
    COALESCE(CAST("t11"."m1" AS DOUBLE), 0.0) AS "m1",
    COALESCE("t11"."m2", 0.0) AS "m2"
  FROM (
    SELECT
      "t6"."period_index",
      "t10"."m0",
      "t10"."m1",
      "t10"."m2"
    FROM (
      SELECT
        "t0"."period_index"
      FROM "memtable_1" AS "t0"
    ) AS "t6"
    LEFT OUTER JOIN (
      SELECT
        "t8"."period_index",
        SUM("t8"."cost") AS "m0",
        SUM("t8"."clicks") AS "m1",
        SUM("t8"."conversion_value") AS "m2"
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
          "t7"."conversions",
          "t7"."reach",
          "t7"."video_views",
          "t7"."engagements",
          "t7"."leads",
          "t7"."_import_id",
          "t7"."cost",
          "t7"."conversion_value",
          (
            CAST(EXTRACT(year FROM "t7"."date") - 2024 AS INT) * 12
          ) + CAST(EXTRACT(month FROM "t7"."date") - 6 AS INT) AS "period_index"
        FROM (
          SELECT
            "t3"."date",
            "t3"."platform",
            "t3"."account",
            "t3"."channel",
            "t3"."campaign_id",
            "t3"."campaign",
            "t3"."ad_group",
            "t3"."ad",
            "t3"."currency",
            "t3"."impressions",
            "t3"."clicks",
            "t3"."conversions",
            "t3"."reach",
            "t3"."video_views",
            "t3"."engagements",
            "t3"."leads",
            "t3"."_import_id",
            "t3"."cost" * CASE WHEN "t3"."currency" = 'USD' THEN 1.0 ELSE "t4"."rate" END AS "cost",
            "t3"."conversion_value" * CASE WHEN "t3"."currency" = 'USD' THEN 1.0 ELSE "t4"."rate" END AS "conversion_value"
          FROM "ad_performance" AS "t3"
          LEFT OUTER JOIN "shakhes_rates" AS "t4"
            ON "t3"."date" = "t4"."date" AND "t3"."currency" = "t4"."currency"
        ) AS "t7"
        WHERE
          "t7"."date" BETWEEN MAKE_DATE(2024, 6, 1) AND MAKE_DATE(2024, 7, 10)
      ) AS "t8"
      GROUP BY
        1
    ) AS "t10"
      ON "t6"."period_index" = "t10"."period_index"
  ) AS "t11"
) AS "t12"
ORDER BY
  "t12"."period_index" ASC
