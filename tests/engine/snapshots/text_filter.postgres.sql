SELECT
  "t8"."period_index",
  "t8"."m0" AS "value_0",
  CAST("t8"."m1" AS DOUBLE PRECISION) / NULLIF("t8"."m2", 0) AS "value_1",
  "t8"."m1" AS "numerator_1",
  "t8"."m2" AS "denominator_1"
FROM (
  SELECT
    "t7"."period_index",
    COALESCE("t7"."m0", 0.0) AS "m0",
    COALESCE(CAST("t7"."m1" AS DOUBLE PRECISION), 0.0) AS "m1",
    COALESCE(CAST("t7"."m2" AS DOUBLE PRECISION), 0.0) AS "m2"
  FROM (
    SELECT
      "t3"."period_index",
      "t6"."m0",
      "t6"."m1",
      "t6"."m2"
    FROM (
      SELECT
        "t0"."period_index"
      FROM "memtable_1" AS "t0"
    ) AS "t3"
    LEFT OUTER JOIN (
      SELECT
        "t4"."period_index",
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
          CAST(CAST(FLOOR(
            CAST((
              CAST(EXTRACT(epoch FROM CAST("t1"."date" AS TIMESTAMP) - CAST(MAKE_DATE(2023, 12, 30) AS TIMESTAMP)) / 86400 AS BIGINT)
            ) AS DOUBLE PRECISION) / (
              7
            )
          ) AS BIGINT) AS INT) AS "period_index"
        FROM "ad_performance" AS "t1"
        WHERE
          COALESCE(
            TRANSLATE(
              "t1"."campaign",
              'يىك٫٬٪۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩​‌‍‎‏؜‪‫‬‭‮⁦⁧⁨⁩⁠﻿­ـًٌٍَُِّْٰٕٖٜٟٓٔٗ٘ٙٚٛٝٞ',
              'ییک.,%01234567890123456789'
            ) = 'Search 1',
            FALSE
          )
          AND "t1"."date" BETWEEN MAKE_DATE(2024, 1, 1) AND MAKE_DATE(2024, 2, 29)
      ) AS "t4"
      GROUP BY
        1
    ) AS "t6"
      ON "t3"."period_index" = "t6"."period_index"
  ) AS "t7"
) AS "t8"
ORDER BY
  "t8"."period_index" ASC
