"""The library file's schema, as named, append-only migrations.

Never edit or reorder a migration that has shipped: add a new one at the end. Each runs in a
transaction and records its name, so a library knows exactly which steps built it, and a
library built by a newer Nearby (a name this code does not know) is refused, not damaged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str


def native_vectors(table: str, dim: int) -> str:
    """A media kind's vectors in its model's own space. Also what a model switch recreates
    (Store.switch_model), since a vec0 table's width is fixed when it is made."""
    return f"""
    CREATE VIRTUAL TABLE {table} USING vec0(
        item_id INTEGER PRIMARY KEY,
        embedding float[{dim}] distance_metric=cosine
    );
    """


def _text_vectors(dim: int) -> str:
    # Filter fields live in the vec0 table as metadata columns: filters on joined tables would
    # apply only after the KNN step and could return nothing (sqlite-vec#152).
    return f"""
    CREATE VIRTUAL TABLE passage_vectors USING vec0(
        passage_id INTEGER PRIMARY KEY,
        embedding float[{dim}] distance_metric=cosine,
        kind TEXT,
        item_id INTEGER
    );
    CREATE VIRTUAL TABLE item_vectors USING vec0(
        item_id INTEGER PRIMARY KEY,
        embedding float[{dim}] distance_metric=cosine,
        kind TEXT
    );
    """


def migrations(text_dim: int, image_dim: int = 1280, song_dim: int = 200) -> list[Migration]:
    """All migrations in order. The dims size the vector tables of a new library."""
    return [
        Migration("0001_items_and_passages", """
            CREATE TABLE items (
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                title TEXT NOT NULL DEFAULT '',
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                indexed_at REAL NOT NULL
            );
            CREATE INDEX items_sha256 ON items(sha256);
            CREATE TABLE passages (
                id INTEGER PRIMARY KEY,
                item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                ord INTEGER NOT NULL,
                page INTEGER,
                text TEXT NOT NULL
            );
            CREATE INDEX passages_item ON passages(item_id);
            CREATE TABLE failures (
                path TEXT PRIMARY KEY,
                reason TEXT NOT NULL,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                at REAL NOT NULL
            );
            CREATE TABLE folders (
                path TEXT PRIMARY KEY,
                added_at REAL NOT NULL
            );
        """),
        Migration("0002_text_vectors", _text_vectors(text_dim) + """
            CREATE TABLE vector_tables (
                name TEXT PRIMARY KEY,
                model TEXT NOT NULL,
                model_version TEXT NOT NULL,
                dim INTEGER NOT NULL,
                filled_at REAL NOT NULL
            );
        """),
        # Pictures: what their files say (EXIF date, camera, size) and their vectors in the image
        # model's own space, for look-alikes; their text-space vectors live in passage_vectors.
        Migration("0003_images", f"""
            ALTER TABLE items ADD COLUMN meta TEXT NOT NULL DEFAULT '{{}}';
            {native_vectors("image_vectors", image_dim)}
        """),
        # Per-kind score backgrounds that make one mixed result list possible (core/calibration.py).
        Migration("0004_calibration", """
            CREATE TABLE calibration (
                kind TEXT PRIMARY KEY,
                mean REAL NOT NULL,
                std REAL NOT NULL,
                measured_at REAL NOT NULL
            );
        """),
        # Songs: vectors in the music model's own space, for sound-alikes.
        Migration("0005_songs", native_vectors("song_vectors", song_dim)),
        # Words of every passage, for "quoted phrases" a result must (or -"must not") contain.
        # External content: the text lives once, in passages; triggers keep the index in step.
        Migration("0006_passage_words", """
            CREATE VIRTUAL TABLE passage_words USING fts5(
                text, content='passages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
            );
            INSERT INTO passage_words(rowid, text) SELECT id, text FROM passages;
            CREATE TRIGGER passages_words_insert AFTER INSERT ON passages BEGIN
                INSERT INTO passage_words(rowid, text) VALUES (new.id, new.text);
            END;
            CREATE TRIGGER passages_words_delete AFTER DELETE ON passages BEGIN
                INSERT INTO passage_words(passage_words, rowid, text) VALUES ('delete', old.id, old.text);
            END;
        """),
        # Kind as a partition key rather than a metadata column: a per-kind KNN then scans only
        # that kind's vectors (100k passages, 80/15/5% documents/pictures/songs: a mixed search
        # went from 110 to 47 ms). vec0 tables cannot be renamed, hence the new name.
        Migration("0007_passages_partitioned_by_kind", f"""
            CREATE VIRTUAL TABLE passage_embeddings USING vec0(
                passage_id INTEGER PRIMARY KEY,
                embedding float[{text_dim}] distance_metric=cosine,
                kind TEXT PARTITION KEY,
                item_id INTEGER
            );
            INSERT INTO passage_embeddings(passage_id, embedding, kind, item_id)
                SELECT passage_id, embedding, kind, item_id FROM passage_vectors;
            DROP TABLE passage_vectors;
            UPDATE vector_tables SET name = 'passage_embeddings' WHERE name = 'passage_vectors';
        """),
        # Vectors of the fixed calibration queries, per model: embedded once, not at every run.
        Migration("0008_query_vectors", """
            CREATE TABLE query_vectors (
                model TEXT NOT NULL,
                text TEXT NOT NULL,
                vector BLOB NOT NULL,
                PRIMARY KEY (model, text)
            );
        """),
        # The similarity map: each map's layout (one for all kinds, one per kind) and its clusters.
        # A point goes with its item (a changed file gets a new item, placed again).
        Migration("0009_maps", """
            CREATE TABLE maps (
                name TEXT PRIMARY KEY,
                model TEXT NOT NULL,
                made_at REAL NOT NULL,
                items INTEGER NOT NULL,
                clusters TEXT NOT NULL
            );
            CREATE TABLE map_points (
                map TEXT NOT NULL REFERENCES maps(name) ON DELETE CASCADE,
                item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                x REAL NOT NULL,
                y REAL NOT NULL,
                cluster INTEGER NOT NULL,
                PRIMARY KEY (map, item_id)
            );
            CREATE INDEX map_points_item ON map_points(item_id);
        """),
        # A random sample of each kind's vectors, drawn when an index run changed something, so a
        # search reads 512 rows instead of drawing them from vec0 (~0.3 ms a random vector).
        Migration("0010_calibration_samples", """
            CREATE TABLE calibration_samples (
                kind TEXT NOT NULL,
                space TEXT NOT NULL,
                dim INTEGER NOT NULL,
                vectors BLOB NOT NULL,
                PRIMARY KEY (kind, space)
            );
        """),
        # Keywords in Chinese and Japanese: the index gets each passage through nearby_words()
        # (a space around each such character, see connection.keyword_text), not the bare text.
        Migration("0011_keyword_text", """
            DROP TRIGGER passages_words_insert;
            DROP TRIGGER passages_words_delete;
            INSERT INTO passage_words(passage_words) VALUES ('delete-all');
            INSERT INTO passage_words(rowid, text) SELECT id, nearby_words(text) FROM passages;
            CREATE TRIGGER passages_words_insert AFTER INSERT ON passages BEGIN
                INSERT INTO passage_words(rowid, text) VALUES (new.id, nearby_words(new.text));
            END;
            CREATE TRIGGER passages_words_delete AFTER DELETE ON passages BEGIN
                INSERT INTO passage_words(passage_words, rowid, text) VALUES ('delete', old.id, nearby_words(old.text));
            END;
        """),
        # The kinds a library holds, read at every search: from an index, not a scan of every item
        # (SELECT DISTINCT kind took 38 ms at a million passages).
        Migration("0012_items_kind", "CREATE INDEX items_kind ON items(kind);"),
        # The log that keeps the passage vectors' side index (core/storage/vector_index.py) in
        # step: adds carry their vector until the side index holds them; deletes by trigger, so
        # cascades count too. The epoch tells this library file from any other.
        Migration("0013_vector_log", """
            CREATE TABLE vector_log (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                passage_id INTEGER NOT NULL,
                item_id INTEGER,
                kind TEXT,
                vector BLOB
            );
            CREATE TABLE vector_index_state (epoch TEXT NOT NULL, trimmed_to INTEGER NOT NULL);
            INSERT INTO vector_index_state VALUES (lower(hex(randomblob(16))), 0);
            CREATE TRIGGER passages_logged_delete AFTER DELETE ON passages BEGIN
                INSERT INTO vector_log(passage_id) VALUES (old.id);
            END;
        """),
        # How many passages hold a word, from the keyword index itself (core/search/keywords.py).
        Migration("0014_passage_words_vocab",
                  "CREATE VIRTUAL TABLE passage_words_vocab USING fts5vocab(passage_words, 'row');"),
        # How many files of a kind its background was measured over: the best unrelated match
        # among more files scores higher by chance, so the score curve moves with it.
        Migration("0015_calibration_size", "ALTER TABLE calibration ADD COLUMN size INTEGER NOT NULL DEFAULT 0;"),
        # Each log row gets a random token: the side index names the row it is level with by
        # (seq, token), so a restored older copy, a rolled-back commit or another library with the
        # same epoch (whose row at that seq is missing or another) is told from its own log.
        Migration("0016_vector_log_tokens", """
            ALTER TABLE vector_log ADD COLUMN token TEXT;
            UPDATE vector_log SET token = lower(hex(randomblob(8)));
            CREATE TRIGGER vector_log_token AFTER INSERT ON vector_log WHEN new.token IS NULL BEGIN
                UPDATE vector_log SET token = lower(hex(randomblob(8))) WHERE seq = new.seq;
            END;
        """),
        # What the person liked (1) or wanted less of (-1), by path (core/storage/likes.py): a moved
        # file carries its mark.
        Migration("0017_likes", """
            CREATE TABLE likes (path TEXT PRIMARY KEY, value INTEGER NOT NULL, at REAL NOT NULL);
            CREATE TRIGGER likes_follow_moves AFTER UPDATE OF path ON items BEGIN
                UPDATE OR REPLACE likes SET path = new.path WHERE path = old.path;
            END;
        """),
        # When a file was last opened from Nearby, and how often (For you weighs what was opened
        # lately a little, and brings back what was not opened for long).
        Migration("0018_openings", """
            CREATE TABLE openings (path TEXT PRIMARY KEY, at REAL NOT NULL, times INTEGER NOT NULL);
            CREATE TRIGGER openings_follow_moves AFTER UPDATE OF path ON items BEGIN
                UPDATE OR REPLACE openings SET path = new.path WHERE path = old.path;
            END;
        """),
    ]
