-- The two PostgreSQL roles of a Yanglao database (issue 15, docs/security.md "数据库角色").
--
--   owner  owns the database, its schema and every table; `yanglao migrate` runs as it.
--   app    what the web server, the task worker and the scheduler connect as: it reads and
--          writes the tables, but on the audit table (core_auditevent) it may only INSERT and
--          SELECT: no UPDATE, DELETE, TRUNCATE, no trigger changes (ALTER TABLE needs the
--          owner), no `session_replication_role` (needs a superuser). Neither role is a
--          superuser.
--
-- Idempotent. Run it as a superuser connected to the application's database, once before
-- the first `migrate` and again after every `migrate` (new tables get the app's rights by
-- default privileges; the audit table's restriction is re-applied):
--
--   psql "postgresql://postgres@db/yanglao" -v ON_ERROR_STOP=1 \
--        -v owner=yanglao_owner -v app=yanglao_app -f tools/db_roles.sql
--
-- or tools/db_roles.sh, which does the same and passes passwords from the environment.
-- Optional variables: owner_password, app_password (set or change the roles' passwords).

\set QUIET on

-- 1. The roles: log in, nothing more.
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'app')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
-- An existing role is brought back to these attributes (nobody may have raised it since).
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', r)
  FROM unnest(ARRAY[:'owner', :'app']) AS r \gexec
\if :{?owner_password}
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password') \gexec
\endif
\if :{?app_password}
SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_password') \gexec
\endif
-- The app role is no member of the owner role (it would inherit the ownership).
SELECT format('REVOKE %I FROM %I', :'owner', :'app')
 WHERE pg_has_role(:'app', :'owner', 'MEMBER') \gexec

-- 2. The owner owns the database and the schema; nobody else creates objects in it.
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner') \gexec
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'app') \gexec
-- Temporary tables are the app's own (session-local, dropped at its end): the ledger import's
-- commit joins two of them (people.bulk._search_lookups). Without TEMPORARY it fails with
-- "permission denied to create temporary tables" (issue 15 audit: found by running the import
-- as the app role, yanglao/site/tests/test_app_role.py).
SELECT format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), :'app') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app') \gexec

-- 3. Tables the owner creates later (migrations) are readable and writable by the app.
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', :'owner', :'app') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', :'owner', :'app') \gexec

-- 4. Tables that exist now: owned by the owner (a table created by a superuser is moved),
--    readable and writable by the app.
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner')
  FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec
SELECT format('ALTER SEQUENCE public.%I OWNER TO %I', c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) <> :'owner'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'owner' \gexec
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', :'app') \gexec
SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', :'app') \gexec

-- 5. The audit log: append and read only.
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON public.core_auditevent FROM %I, PUBLIC', :'app')
 WHERE to_regclass('public.core_auditevent') IS NOT NULL \gexec
SELECT format('GRANT SELECT, INSERT ON public.core_auditevent TO %I', :'app')
 WHERE to_regclass('public.core_auditevent') IS NOT NULL \gexec

\set QUIET off
SELECT :'owner' AS owner_role, :'app' AS app_role, current_database() AS database,
       to_regclass('public.core_auditevent') IS NOT NULL AS audit_table_restricted;
