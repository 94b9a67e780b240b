SELECT
  "t8"."period_index",
  "t8"."m0" AS "value_0",
  "t8"."m1" AS "value_1",
  "t8"."m0" / NULLIF("t8"."m1", 0) AS "value_2",
  "t8"."m0" AS "numerator_2",
  "t8"."m1" AS "denominator_2"
FROM (
  SELECT
    "t7"."period_index",
    COALESCE("t7"."m0", 0.0) AS "m0",
    COALESCE(CAST("t7"."m1" AS DOUBLE), 0.0) AS "m1"
  FROM (
    SELECT
      "t3"."period_index",
      "t6"."m0",
      "t6"."m1"
    FROM (
      SELECT
        "t0"."period_index"
      FROM "memtable_1" AS "t0"
    ) AS "t3"
    LEFT OUTER JOIN (
      SELECT
        "t4"."period_index",
        SUM("t4"."revenue") AS "m0",
        COUNT(*) AS "m1"
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
          CAST((
            EXTRACT(year FROM "t1"."order_date") - CAST(EXTRACT(month FROM "t1"."order_date") < 4 AS INT)
          ) - 2023 AS INT) AS "period_index"
        FROM "orders" AS "t1"
        WHERE
          "t1"."order_date" BETWEEN MAKE_DATE(2024, 1, 1) AND MAKE_DATE(2024, 6, 30)
      ) AS "t4"
      GROUP BY
        1
    ) AS "t6"
      ON "t3"."period_index" = "t6"."period_index"
  ) AS "t7"
) AS "t8"
ORDER BY
  "t8"."period_index" ASC
