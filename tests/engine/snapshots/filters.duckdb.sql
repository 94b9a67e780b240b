SELECT
  "t8"."period_index",
  "t8"."m0" AS "value_0",
  "t8"."m1" / NULLIF("t8"."m2", 0) AS "value_1",
  "t8"."m1" AS "numerator_1",
  "t8"."m2" AS "denominator_1",
  "t8"."m2" AS "value_2"
FROM (
  SELECT
    "t7"."period_index",
    COALESCE("t7"."m0", 0.0) AS "m0",
    COALESCE(CAST("t7"."m1" AS DOUBLE), 0.0) AS "m1",
    COALESCE(CAST("t7"."m2" AS DOUBLE), 0.0) AS "m2"
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
        SUM("t4"."revenue") FILTER(WHERE
          COALESCE("t4"."is_new_customer" = TRUE, FALSE)) AS "m0",
        COUNT(*) FILTER(WHERE
          COALESCE("t4"."is_new_customer" = FALSE, FALSE)) AS "m1",
        COUNT(*) AS "m2"
      FROM (
        SELECT
          "t1"."order_id",
          "t1"."order_date",
          "t1"."customer_id",
          "t1"."channel",
          "t1"."campaign",
          "t1"."revenue",
          "t1"."currency",
          "t1"."is_new_customer",
          "t1"."_import_id",
          (
            CAST(EXTRACT(year FROM "t1"."order_date") - 2024 AS INT) * 4
          ) + CAST((
            EXTRACT(quarter FROM "t1"."order_date") - 0
          ) - 1 AS INT) AS "period_index"
        FROM "orders" AS "t1"
        WHERE
          COALESCE(
            TRANSLATE(
              "t1"."channel",
              'يىك٫٬٪۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩​‌‍‎‏؜‪‫‬‭‮⁦⁧⁨⁩⁠﻿­ـًٌٍَُِّْٰٕٖٜٟٓٔٗ٘ٙٚٛٝٞ',
              'ییک.,%01234567890123456789'
            ) IN ('search', 'social'),
            FALSE
          )
          AND "t1"."order_date" BETWEEN MAKE_DATE(2024, 1, 1) AND MAKE_DATE(2024, 6, 30)
      ) AS "t4"
      GROUP BY
        1
    ) AS "t6"
      ON "t3"."period_index" = "t6"."period_index"
  ) AS "t7"
) AS "t8"
ORDER BY
  "t8"."period_index" ASC
