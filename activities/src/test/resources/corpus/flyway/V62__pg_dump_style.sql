SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.invoice_line (
    id bigint NOT NULL,
    invoice_id bigint NOT NULL,
    amount_cents bigint DEFAULT 0 NOT NULL,
    description character varying(255)
);

CREATE SEQUENCE public.invoice_line_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.invoice_line_id_seq OWNED BY public.invoice_line.id;
ALTER TABLE ONLY public.invoice_line ALTER COLUMN id SET DEFAULT nextval('public.invoice_line_id_seq'::regclass);
ALTER TABLE ONLY public.invoice_line ADD CONSTRAINT invoice_line_pkey PRIMARY KEY (id);
CREATE INDEX index_invoice_line_on_invoice_id ON public.invoice_line USING btree (invoice_id);
