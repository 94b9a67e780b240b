WITH "t8" AS (
  SELECT
    "t7"."period_index",
    COALESCE("t7"."channel", '(not set)') AS "channel",
    COUNT(*) AS "m2"
  FROM (
    SELECT
      "t1"."customer_id",
      "t1"."acquired_date",
      "t1"."churned_date",
      "t1"."channel",
      "t1"."campaign",
      "t1"."plan",
      "t1"."monthly_value",
      "t1"."currency",
      "t1"."_import_id",
      (
        CAST(EXTRACT(year FROM "t1"."acquired_date") - 2024 AS INT) * 12
      ) + CAST(EXTRACT(month FROM "t1"."acquired_date") - 1 AS INT) AS "period_index"
    FROM "customers" AS "t1"
    WHERE
      "t1"."acquired_date" BETWEEN MAKE_DATE(2024, 1, 1) AND MAKE_DATE(2024, 6, 30)
  ) AS "t7"
  GROUP BY
    1,
    2
), "t9" AS (
  SELECT
    "t6"."period_index",
    COALESCE("t6"."channel", '(not set)') AS "channel",
    COUNT(*) FILTER(WHERE
      "t6"."churned_date" BETWEEN "t6"."period_start" AND "t6"."period_end") AS "m0",
    COUNT(*) FILTER(WHERE
      (
        "t6"."churned_date" IS NULL
      )
      OR (
        "t6"."churned_date" >= "t6"."period_start"
      )) AS "m1",
    SUM("t6"."monthly_value") FILTER(WHERE
      (
        "t6"."churned_date" IS NULL
      )
      OR (
        "t6"."churned_date" >= "t6"."period_start"
      )) AS "m3"
  FROM (
    SELECT
      "t3"."customer_id",
      "t3"."acquired_date",
      "t3"."churned_date",
      "t3"."channel",
      "t3"."campaign",
      "t3"."plan",
      "t3"."monthly_value",
      "t3"."currency",
      "t3"."_import_id",
      "t2"."period_index",
      "t2"."period_start",
      "t2"."period_end"
    FROM "customers" AS "t3"
    INNER JOIN "memtable_1" AS "t2"
      ON "t3"."acquired_date" < "t2"."period_start"
  ) AS "t6"
  GROUP BY
    1,
    2
)
SELECT
  "t19"."period_index",
  "t19"."channel",
  CAST("t19"."m0" AS DOUBLE PRECISION) / NULLIF("t19"."m1", 0) AS "value_0",
  "t19"."m0" AS "numerator_0",
  "t19"."m1" AS "denominator_0",
  "t19"."m2" AS "value_1",
  CAST((
    (
      CAST("t19"."m3" AS DOUBLE PRECISION) / NULLIF("t19"."m1", 0)
    ) * 1.0
  ) AS DOUBLE PRECISION) / NULLIF(CAST("t19"."m0" AS DOUBLE PRECISION) / NULLIF("t19"."m1", 0), 0) AS "value_2",
  (
    CAST("t19"."m3" AS DOUBLE PRECISION) / NULLIF("t19"."m1", 0)
  ) * 1.0 AS "numerator_2",
  CAST("t19"."m0" AS DOUBLE PRECISION) / NULLIF("t19"."m1", 0) AS "denominator_2"
FROM (
  SELECT
    "t18"."period_index",
    "t18"."channel",
    COALESCE(CAST("t18"."m2" AS DOUBLE PRECISION), 0.0) AS "m2",
    COALESCE(CAST("t18"."m0" AS DOUBLE PRECISION), 0.0) AS "m0",
    COALESCE(CAST("t18"."m1" AS DOUBLE PRECISION), 0.0) AS "m1",
    COALESCE("t18"."m3", 0.0) AS "m3"
  FROM (
    SELECT
      "t5"."period_index",
      "t17"."channel",
      "t12"."m2",
      "t13"."m0",
      "t13"."m1",
      "t13"."m3"
    FROM (
      SELECT
        "t0"."period_index"
      FROM "memtable_1" AS "t0"
    ) AS "t5"
    CROSS JOIN (
      SELECT
        *
      FROM (
        SELECT DISTINCT
          "t10"."channel"
        FROM "t8" AS "t10"
      ) AS "t14"
      UNION
      SELECT
        *
      FROM (
        SELECT
          "t11"."channel"
        FROM "t9" AS "t11"
      ) AS "t15"
    ) AS "t17"
    LEFT OUTER JOIN "t8" AS "t12"
      ON "t5"."period_index" = "t12"."period_index" AND "t17"."channel" = "t12"."channel"
    LEFT OUTER JOIN "t9" AS "t13"
      ON "t5"."period_index" = "t13"."period_index" AND "t17"."channel" = "t13"."channel"
  ) AS "t18"
) AS "t19"
ORDER BY
  "t19"."period_index" ASC,
  "t19"."channel" ASC
