import GRDB

/// The ledger database: the append-only `events` table (the source of truth) and the projection
/// tables derived from it. Every projection column that depends on which write wins carries the
/// writer's `ord` (an `OrderKey`), so updates commute and any arrival order gives the same tables.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: eventsSQL)
            try db.execute(sql: projectionSQL)
        }
        // Team authority folded from the team events (who could do what at each point of the merge order),
        // and events that are stored but count nowhere. Migrations that change what views hold ask for a
        // rebuild, which runs once after the last migration, when every table of the current schema exists.
        m.registerMigration("v2") { db in
            try db.execute(sql: authoritySQL)
            try Meta.requestRebuild(db)
        }
        // MLflow 3: logged models, datasets and outputs of runs, tombstones; versions name their logged model.
        m.registerMigration("v3") { db in
            try db.execute(sql: loggedModelSQL)
            try Meta.requestRebuild(db)
        }
        // Renames of experiments and registered models; tags and artifact files that can be removed (NULL values).
        m.registerMigration("v4-renames-and-removals") { db in
            try db.execute(sql: renameSQL)
            try Meta.requestRebuild(db)
        }
        // Import provenance (SPEC 6.14): which stored events were imported, from where, and the MLflow ids they
        // stand for. Events signed before it carry none, so nothing is recomputed.
        m.registerMigration("import-provenance") { db in
            try db.execute(sql: importSQL)
        }
        // Deployments and production monitoring (SPEC 6.16). Events of these kinds could not be stored before,
        // so nothing is recomputed.
        m.registerMigration("v5-deployments") { db in
            try db.execute(sql: deploymentSQL)
        }
        // Promotion requests and approvals (SPEC 6.15): protections that ask for approvals, requests and
        // decisions. Ledgers from before it hold none of these, so nothing is recomputed.
        m.registerMigration("v5-promotion-requests") { db in
            try db.execute(sql: promotionSQL)
        }
        // The runs table pages in SQL: an experiment's runs in table order (newest first, then id) straight
        // from an index, so the first page reads its rows, not the experiment; a run's param or metric read
        // from one covering index lookup when a search filters or sorts by it. Views are unchanged.
        m.registerMigration("v6-scale-run-order") { db in
            try db.execute(
                sql: """
                    CREATE INDEX runs_in_table_order ON runs(experiment, clock DESC, id);
                    CREATE INDEX params_by_run_key_value ON params(run, key, value);
                    CREATE INDEX metric_summary_by_run_key_values ON metric_summary(run, key, last_bits, min, max);
                    """)
        }
        // The relays' transparency logs as this workspace checked them (SPEC 6.17): local state, not a view.
        m.registerMigration("v6-transparency-remote-logs") { db in
            try db.execute(sql: remoteLogSQL)
        }
        // Relay log keys announced by admins (SPEC 6.17). Events of this kind could not be stored before, so
        // nothing is recomputed.
        m.registerMigration("v7-relay-announcements") { db in
            try db.execute(
                sql: """
                    CREATE TABLE relay_announcements (
                        event BLOB PRIMARY KEY, key TEXT NOT NULL, url TEXT, author BLOB NOT NULL, ord BLOB NOT NULL);
                    """)
        }
        // Members' cosignatures of relay checkpoints (SPEC 6.18); which ones this workspace checked against
        // its own accepted checkpoint, and when it pinned each log (local state, not a view). Events of this kind could not be
        // stored before, so nothing is recomputed.
        m.registerMigration("v8-relay-cosignatures") { db in
            try db.execute(
                sql: """
                    CREATE TABLE relay_cosignatures (
                        event BLOB PRIMARY KEY, key TEXT NOT NULL, size INTEGER NOT NULL, root BLOB NOT NULL,
                        checkpoint TEXT NOT NULL, author BLOB NOT NULL, ord BLOB NOT NULL);
                    CREATE INDEX relay_cosignatures_by_key ON relay_cosignatures(key, author);
                    \(cosignChecksSQL)
                    ALTER TABLE remote_logs ADD COLUMN pinned_ms INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        return m
    }

    /// Tables that say which stored events count nowhere (or were folded and refused): receivers holding
    /// the same counted events may differ here, since one refused on arrival what another stored and holds.
    static let storageTables: Set<String> = ["team_events", "held_events"]

    /// Projection tables, in the order the digest walks them, with the columns that order their rows.
    /// The view digest leaves out `storageTables`; verification compares every table with a rebuild.
    static let projectionTables: [(name: String, orderBy: String)] = [
        ("team_events", "event"), ("standings", "key, ord"), ("cutoffs", "key, removal"), ("forks", "author"), ("held_events", "event"),
        ("members", "member"), ("protection_history", "alias, ord"), ("devices", "device"), ("profiles", "key"), ("protected_aliases", "alias"),
        ("experiments", "id"), ("experiment_tags", "experiment, key"), ("entity_names", "entity"),
        ("descriptions", "event"), ("supersedes", "event, superseded"),
        ("runs", "id"), ("run_status", "run"), ("params", "run, key"), ("run_tags", "run, key"),
        ("run_artifacts", "run, path"), ("metric_chunks", "run, key, event"), ("metric_summary", "run, key"),
        ("models", "id"), ("versions", "id"), ("version_files", "version, path"), ("version_archived", "version"),
        ("alias_events", "event"), ("comments", "id"),
        ("logged_models", "id"), ("logged_model_status", "model"), ("logged_model_updated", "model"),
        ("logged_model_params", "model, key"), ("logged_model_tags", "model, key"), ("logged_model_files", "model, path"),
        ("run_datasets", "run, name, digest"), ("run_model_inputs", "run, model"), ("run_outputs", "run, model"),
        ("tombstones", "entity"), ("imports", "event"),
        ("environment_protection_history", "environment, ord"), ("deployments", "event"), ("monitor_chunks", "event, key"),
        ("monitor_rules", "rule"), ("monitor_rule_removals", "event"), ("monitor_alerts", "event"),
        ("promotion_requests", "id"), ("promotion_decisions", "event"), ("relay_announcements", "event"),
        ("relay_cosignatures", "event"),
    ]

    private static let eventsSQL = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
        -- Relays this ledger syncs with: where pulls resume, and how far pushes got. Local state, not a view.
        CREATE TABLE remotes (name TEXT PRIMARY KEY, url TEXT NOT NULL, cursor INTEGER NOT NULL DEFAULT 0);
        -- Request nonces a relay has accepted recently: a request is accepted once, even across restarts.
        CREATE TABLE request_nonces (nonce TEXT PRIMARY KEY, time INTEGER NOT NULL);

        -- Signed events exactly as received: `bytes` is the envelope, `id` its BLAKE2b-256.
        -- `rowid` is the local arrival order; nothing else depends on it.
        CREATE TABLE events (
            rowid INTEGER PRIMARY KEY,
            id BLOB NOT NULL UNIQUE,
            author BLOB NOT NULL,
            seq INTEGER NOT NULL,
            clock INTEGER NOT NULL,
            kind TEXT NOT NULL,
            bytes BLOB NOT NULL,
            signature BLOB NOT NULL
        );
        CREATE INDEX events_by_author ON events(author, seq);
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction as a new event'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction as a new event'); END;
        """

    private static let authoritySQL = """
        DROP TABLE member_history;
        ALTER TABLE devices ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
        -- A member key retired by a rotation names the key that replaced it.
        ALTER TABLE members ADD COLUMN replaced_by BLOB;
        -- Every stored team event (genesis, members, protections, device links): what the authority folds.
        CREATE TABLE team_events (event BLOB PRIMARY KEY, ord BLOB NOT NULL);
        -- Each key's role from a point of the merge order on (role NULL: it may sign nothing).
        CREATE TABLE standings (key BLOB NOT NULL, ord BLOB NOT NULL, role TEXT, PRIMARY KEY (key, ord));
        -- Removals' cuts: a key's events before `removal` with a seq above max_seq count nowhere.
        CREATE TABLE cutoffs (key BLOB NOT NULL, removal BLOB NOT NULL, max_seq INTEGER NOT NULL, PRIMARY KEY (key, removal));
        -- The lowest forked seq per author.
        CREATE TABLE forks (author BLOB PRIMARY KEY, seq INTEGER NOT NULL);
        -- Stored events that count nowhere (author not allowed at their place, cut, refused team changes).
        CREATE TABLE held_events (event BLOB PRIMARY KEY, author BLOB NOT NULL, reason TEXT NOT NULL);
        CREATE INDEX held_by_author ON held_events(author);
        """

    private static let renameSQL = """
        -- The latest name of a renamed experiment or registered model (its id derives from its first name).
        CREATE TABLE entity_names (entity BLOB PRIMARY KEY, name TEXT NOT NULL, ord BLOB NOT NULL);
        -- A NULL value is a removed tag: the removal must win or lose against later and earlier sets.
        DROP TABLE experiment_tags;
        CREATE TABLE experiment_tags (
            experiment BLOB NOT NULL, key TEXT NOT NULL, value TEXT, ord BLOB NOT NULL,
            PRIMARY KEY (experiment, key));
        DROP TABLE run_tags;
        CREATE TABLE run_tags (run BLOB NOT NULL, key TEXT NOT NULL, value TEXT, ord BLOB NOT NULL,
            PRIMARY KEY (run, key));
        -- sha256 and size NULL: the file was removed (MLflow's artifact delete).
        DROP TABLE run_artifacts;
        CREATE TABLE run_artifacts (run BLOB NOT NULL, path TEXT NOT NULL, sha256 BLOB,
            size INTEGER, ord BLOB NOT NULL, PRIMARY KEY (run, path));
        DROP TABLE logged_model_files;
        CREATE TABLE logged_model_files (model BLOB NOT NULL, path TEXT NOT NULL, sha256 BLOB,
            size INTEGER, ord BLOB NOT NULL, PRIMARY KEY (model, path));
        """

    private static let loggedModelSQL = """
        ALTER TABLE versions ADD COLUMN logged_model BLOB;
        -- MLflow 3 logged models: id = the logged_model.create event id, `short` its MLflow id without "m-".
        CREATE TABLE logged_models (
            id BLOB PRIMARY KEY, short TEXT NOT NULL, experiment BLOB NOT NULL, name TEXT NOT NULL, run BLOB,
            model_type TEXT, author BLOB NOT NULL, clock INTEGER NOT NULL);
        CREATE INDEX logged_models_by_short ON logged_models(short);
        CREATE INDEX logged_models_by_run ON logged_models(run);
        CREATE TABLE logged_model_status (
            model BLOB PRIMARY KEY, status TEXT NOT NULL, message TEXT, ord BLOB NOT NULL);
        -- The latest clock of any change (order-free: the maximum).
        CREATE TABLE logged_model_updated (model BLOB PRIMARY KEY, clock INTEGER NOT NULL);
        CREATE TABLE logged_model_params (model BLOB NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, ord BLOB NOT NULL,
            PRIMARY KEY (model, key));
        -- value NULL: the tag was removed.
        CREATE TABLE logged_model_tags (model BLOB NOT NULL, key TEXT NOT NULL, value TEXT, ord BLOB NOT NULL,
            PRIMARY KEY (model, key));
        CREATE TABLE logged_model_files (model BLOB NOT NULL, path TEXT NOT NULL, sha256 BLOB NOT NULL,
            size INTEGER NOT NULL, ord BLOB NOT NULL, PRIMARY KEY (model, path));
        -- Datasets a run read (log_input); `tags` is a JSON object (mlflow.data.context and others).
        CREATE TABLE run_datasets (
            run BLOB NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL, source_type TEXT NOT NULL, source TEXT NOT NULL,
            schema TEXT, profile TEXT, tags TEXT NOT NULL, ord BLOB NOT NULL, PRIMARY KEY (run, name, digest));
        CREATE TABLE run_model_inputs (run BLOB NOT NULL, model BLOB NOT NULL, PRIMARY KEY (run, model));
        CREATE TABLE run_outputs (run BLOB NOT NULL, model BLOB NOT NULL, step INTEGER, ord BLOB NOT NULL,
            PRIMARY KEY (run, model));
        CREATE INDEX run_outputs_by_model ON run_outputs(model);
        -- Deleted (1) or restored (0) entities; the latest entity.delete wins.
        CREATE TABLE tombstones (entity BLOB PRIMARY KEY, deleted INTEGER NOT NULL, event BLOB NOT NULL, ord BLOB NOT NULL);
        """

    private static let promotionSQL = """
        -- approvals 0: the alias moves directly (a protection from before SPEC 6.15, or one without approvals).
        ALTER TABLE protection_history ADD COLUMN approvals INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE protection_history ADD COLUMN not_requester INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE protected_aliases ADD COLUMN approvals INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE protected_aliases ADD COLUMN not_requester INTEGER NOT NULL DEFAULT 0;
        -- Counted requests and decisions; their outcome is computed from the signed events when read.
        CREATE TABLE promotion_requests (
            id BLOB PRIMARY KEY, model BLOB NOT NULL, alias TEXT NOT NULL, version BLOB NOT NULL, author BLOB NOT NULL,
            reason TEXT NOT NULL, ord BLOB NOT NULL);
        CREATE INDEX promotion_requests_by_model ON promotion_requests(model, alias);
        CREATE TABLE promotion_decisions (event BLOB PRIMARY KEY, request BLOB NOT NULL, ord BLOB NOT NULL);
        CREATE INDEX promotion_decisions_by_request ON promotion_decisions(request);
        """

    private static let importSQL = """
        -- One row per counted event that carries import provenance. `entity` is the ledger entity the event is
        -- about (a run, experiment, model, version, logged model); `ids` is the source's ids as sorted JSON, so
        -- (source, object, ids) finds what an earlier import made of an object.
        CREATE TABLE imports (
            event BLOB PRIMARY KEY, kind TEXT NOT NULL, entity BLOB, system TEXT NOT NULL, source TEXT NOT NULL,
            object TEXT NOT NULL, ids TEXT NOT NULL, user TEXT, time INTEGER, updated INTEGER, data TEXT NOT NULL, state_at_import INTEGER NOT NULL);
        CREATE INDEX imports_by_object ON imports(source, object, ids);
        CREATE INDEX imports_by_entity ON imports(entity);
        """

    private static let deploymentSQL = """
        -- Protected environments' history (team.environment.protect), folded with the other team events.
        CREATE TABLE environment_protection_history (
            environment TEXT NOT NULL, ord BLOB NOT NULL, role TEXT NOT NULL, PRIMARY KEY (environment, ord));
        -- Every deployment record and rollback; which version serves is a fold in merge order (`Deployments`).
        CREATE TABLE deployments (
            event BLOB PRIMARY KEY, model BLOB NOT NULL, environment TEXT NOT NULL, version BLOB NOT NULL,
            rollback INTEGER NOT NULL, rolled_back BLOB, target TEXT, reason TEXT NOT NULL,
            author BLOB NOT NULL, clock INTEGER NOT NULL, ord BLOB NOT NULL);
        CREATE INDEX deployments_by_model ON deployments(model, environment);
        -- Production points stay packed as the event carried them, one row per series per event.
        CREATE TABLE monitor_chunks (
            event BLOB NOT NULL, key TEXT NOT NULL, model BLOB NOT NULL, environment TEXT NOT NULL, version BLOB NOT NULL,
            count INTEGER NOT NULL, first_time INTEGER NOT NULL, last_time INTEGER NOT NULL, points BLOB NOT NULL, source TEXT,
            author BLOB NOT NULL, ord BLOB NOT NULL, PRIMARY KEY (event, key));
        CREATE INDEX monitor_chunks_by_series ON monitor_chunks(model, environment, key, last_time);
        -- Rules (id = the monitor.rule event that added it) and their removals.
        CREATE TABLE monitor_rules (
            rule BLOB PRIMARY KEY, model BLOB NOT NULL, environment TEXT NOT NULL, metric TEXT NOT NULL, condition TEXT NOT NULL,
            threshold REAL NOT NULL, for_ms INTEGER NOT NULL, command TEXT, baseline TEXT,
            author BLOB NOT NULL, clock INTEGER NOT NULL, ord BLOB NOT NULL);
        CREATE TABLE monitor_rule_removals (
            event BLOB PRIMARY KEY, rule BLOB NOT NULL, author BLOB NOT NULL, clock INTEGER NOT NULL, ord BLOB NOT NULL);
        CREATE TABLE monitor_alerts (
            event BLOB PRIMARY KEY, rule BLOB NOT NULL, model BLOB NOT NULL, environment TEXT NOT NULL, version BLOB NOT NULL,
            metric TEXT NOT NULL, window_start INTEGER NOT NULL, window_end INTEGER NOT NULL, count INTEGER NOT NULL,
            baseline REAL, summary TEXT NOT NULL, points BLOB NOT NULL, author BLOB NOT NULL, clock INTEGER NOT NULL);
        CREATE INDEX monitor_alerts_by_rule ON monitor_alerts(rule, window_start);
        """

    private static let projectionSQL = """
        CREATE TABLE members (member BLOB PRIMARY KEY, role TEXT, name TEXT, active INTEGER NOT NULL, ord BLOB NOT NULL);
        -- Every role change, so the role an author had at any point of the merge order can be looked up.
        CREATE TABLE member_history (member BLOB NOT NULL, ord BLOB NOT NULL, role TEXT, active INTEGER NOT NULL,
            PRIMARY KEY (member, ord));
        CREATE TABLE protection_history (alias TEXT NOT NULL, ord BLOB NOT NULL, role TEXT NOT NULL, PRIMARY KEY (alias, ord));
        CREATE TABLE devices (device BLOB PRIMARY KEY, member BLOB NOT NULL, label TEXT, ord BLOB NOT NULL);
        CREATE TABLE profiles (key BLOB PRIMARY KEY, name TEXT NOT NULL, email TEXT, ord BLOB NOT NULL);
        CREATE TABLE protected_aliases (alias TEXT PRIMARY KEY, role TEXT NOT NULL, ord BLOB NOT NULL);

        CREATE TABLE experiments (
            id BLOB PRIMARY KEY, name TEXT NOT NULL, author BLOB NOT NULL, clock INTEGER NOT NULL, ord BLOB NOT NULL);
        CREATE UNIQUE INDEX experiments_by_name ON experiments(name);
        CREATE TABLE experiment_tags (
            experiment BLOB NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, ord BLOB NOT NULL,
            PRIMARY KEY (experiment, key));

        -- Multi-value registers for descriptions: every write, and which writes it replaced.
        CREATE TABLE descriptions (
            event BLOB PRIMARY KEY, entity BLOB NOT NULL, text TEXT NOT NULL, clock INTEGER NOT NULL);
        CREATE INDEX descriptions_by_entity ON descriptions(entity);
        CREATE TABLE supersedes (event BLOB NOT NULL, superseded BLOB NOT NULL, PRIMARY KEY (event, superseded));
        CREATE INDEX supersedes_by_target ON supersedes(superseded);

        CREATE TABLE runs (
            id BLOB PRIMARY KEY, experiment BLOB NOT NULL, name TEXT NOT NULL, author BLOB NOT NULL,
            clock INTEGER NOT NULL, start_time INTEGER NOT NULL, git_commit TEXT, git_dirty INTEGER,
            command TEXT, host TEXT, environment TEXT);
        CREATE INDEX runs_by_experiment ON runs(experiment, clock);
        CREATE TABLE run_status (
            run BLOB PRIMARY KEY, status TEXT NOT NULL, end_time INTEGER, exit_code INTEGER, ord BLOB NOT NULL);
        CREATE TABLE params (run BLOB NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, ord BLOB NOT NULL,
            PRIMARY KEY (run, key));
        CREATE TABLE run_tags (run BLOB NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, ord BLOB NOT NULL,
            PRIMARY KEY (run, key));
        CREATE TABLE run_artifacts (run BLOB NOT NULL, path TEXT NOT NULL, sha256 BLOB NOT NULL,
            size INTEGER NOT NULL, ord BLOB NOT NULL, PRIMARY KEY (run, path));

        -- Metric points stay packed as the event carried them (24 bytes each), one row per key per batch.
        CREATE TABLE metric_chunks (
            run BLOB NOT NULL, key TEXT NOT NULL, event BLOB NOT NULL, ord BLOB NOT NULL,
            count INTEGER NOT NULL, points BLOB NOT NULL, PRIMARY KEY (run, key, event));
        -- Order-independent aggregates; last_bits keeps the exact value (SQLite turns NaN into NULL).
        CREATE TABLE metric_summary (
            run BLOB NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL, min REAL, max REAL,
            last_step INTEGER NOT NULL, last_time INTEGER NOT NULL, last_value REAL, last_bits INTEGER NOT NULL,
            PRIMARY KEY (run, key));

        CREATE TABLE models (
            id BLOB PRIMARY KEY, name TEXT NOT NULL, author BLOB NOT NULL, clock INTEGER NOT NULL, ord BLOB NOT NULL);
        CREATE UNIQUE INDEX models_by_name ON models(name);
        CREATE TABLE versions (
            id BLOB PRIMARY KEY, model BLOB NOT NULL, run BLOB, claimed_number INTEGER NOT NULL,
            description TEXT, author BLOB NOT NULL, clock INTEGER NOT NULL, ord BLOB NOT NULL);
        CREATE INDEX versions_by_model ON versions(model, ord);
        CREATE TABLE version_files (version BLOB NOT NULL, path TEXT NOT NULL, sha256 BLOB NOT NULL,
            size INTEGER NOT NULL, PRIMARY KEY (version, path));
        CREATE TABLE version_archived (
            version BLOB PRIMARY KEY, event BLOB NOT NULL, reason TEXT NOT NULL, ord BLOB NOT NULL);

        -- Promotions (version set) and demotions (version NULL) of (model, alias) registers.
        CREATE TABLE alias_events (
            event BLOB PRIMARY KEY, model BLOB NOT NULL, alias TEXT NOT NULL, version BLOB,
            author BLOB NOT NULL, clock INTEGER NOT NULL, ord BLOB NOT NULL, reason TEXT NOT NULL, evidence TEXT NOT NULL);
        CREATE INDEX alias_events_by_model ON alias_events(model, alias);

        CREATE TABLE comments (
            id BLOB PRIMARY KEY, target BLOB NOT NULL, reply_to BLOB, author BLOB NOT NULL,
            clock INTEGER NOT NULL, text TEXT NOT NULL);
        CREATE INDEX comments_by_target ON comments(target);
        """
}
