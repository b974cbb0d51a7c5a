-- Route's choice of holder probes the reference tables instead of reading them whole
-- (services/route/routing.c): a national tree holds tens of thousands of institutions and regions
-- and a rule for many category x region pairs, and each report's choice read every rule and every
-- institution. A rule is found by its category and region, either of them "any" (''), one probe
-- for each pair of the report's categories and regions; the national desk by its kind.
CREATE INDEX routing_rules_match ON routing_rules ((COALESCE(category_code, '')), (COALESCE(region_code, '')));
CREATE INDEX institutions_national ON institutions (code) WHERE kind = 'national';
