-- Distribution of the relative pose T of the samples: polar change in 10-degree bins and
-- azimuth change in 30-degree bins, per sample kind.
SELECT kind,
       CAST(ROUND(DEGREES(polar) / 10) * 10 AS INTEGER) AS polar_deg_bin,
       CAST(ROUND(DEGREES(atan2(az_sin, az_cos)) / 30) * 30 AS INTEGER) AS azimuth_deg_bin,
       COUNT(*) AS samples
FROM sample
GROUP BY kind, polar_deg_bin, azimuth_deg_bin
ORDER BY kind, polar_deg_bin, azimuth_deg_bin;
