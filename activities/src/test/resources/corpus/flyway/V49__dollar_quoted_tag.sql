CREATE FUNCTION tricky() RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
  RETURN 'semi;colon $$ inside';
END;
$body$;
SELECT E'it\'s; fine';
