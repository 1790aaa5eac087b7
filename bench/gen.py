"""Fills a Livreur database with realistic jobs directly in SQL, fast: many
merchants' users as creators, creation dates spread over the past year,
delivery dates around them, statuses that follow the dates, 1-4 actions per
job, and `search_text` built exactly as `db::jobs::search_text` builds it.

SQLite: executemany in large transactions (the FTS5 trigram table follows
through the migration's triggers, as in production). PostgreSQL: COPY
through psql, in chunks, so memory stays flat.

The server must be stopped while it runs (SQLite allows one writer)."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
import time

from common import psql

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
DAY_MS = 86_400_000

FIRST = ("Ana Marc Julie Louis Chloé Nathan Léa Samuel Emma Félix Sophie Olivier Camille Gabriel "
         "Zoé William Alice Thomas Laurence Antoine Maya Hugo Sarah Jacob Rosalie Noah Florence "
         "Éric Nadia Karim Mei Ravi Fatima Diego Ingrid Paolo Aisha Tomás Yuki Omar").split()
LAST = ("Roy Tremblay Gagnon Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier "
        "Bélanger Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Caron Beaulieu Cloutier "
        "Dubé Poirier Fournier Lapointe Leclerc Lefebvre Poulin Thibault St-Pierre Nadeau Martin "
        "Landry Martel Bédard Grenier Lessard Bernier Richard Michaud Hébert Desjardins Couture "
        "Turcotte Lachance Parent Blais Gosselin Nguyen Singh Chen Haddad Rossi Silva Kowalski").split()
STREETS = ("Rue Saint-Paul|Rue Sherbrooke|Boulevard Saint-Laurent|Avenue du Parc|Rue Sainte-Catherine|"
           "Rue Notre-Dame|Avenue Papineau|Rue Ontario|Boulevard René-Lévesque|Rue Wellington|"
           "Chemin de la Côte-des-Neiges|Avenue Laurier|Rue Jean-Talon|Rue Beaubien|Rue Masson|"
           "Avenue Mont-Royal|Rue Fleury|Boulevard Décarie|Rue Principale|Rue King|Rue Queen|"
           "Avenue Victoria|Rue Bank|Rue Elgin|Boulevard Taschereau|Rue Racine|Chemin Sainte-Foy").split("|")
CITIES = [("Montréal", 40), ("Laval", 10), ("Longueuil", 8), ("Québec", 12), ("Gatineau", 6),
          ("Sherbrooke", 5), ("Trois-Rivières", 4), ("Brossard", 4), ("Terrebonne", 3), ("Lévis", 3),
          ("Ottawa", 5)]
CITY_NAMES = [c for c, _ in CITIES]
CITY_WEIGHTS = [w for _, w in CITIES]
TYPES = ["delivery"] * 70 + ["pickup"] * 10 + ["return"] * 8 + ["exchange"] * 5 + ["service"] * 4 + ["installation"] * 3
ITEMS = ["Chair", "Table", "Sofa", "Mattress", "Box", "Lamp", "Desk", "Fridge", "Washer", "TV", "Bookcase", "Rug"]
UNITS = ["box", "piece", "pallet", None]
WINDOWS = [("08:00", "12:00"), ("09:00", "12:00"), ("12:00", "17:00"), ("13:00", "18:00"), (None, None)]

JOB_COLUMNS = ("id, reference_id, type, status, date, window_start, window_end, first_name, last_name, "
               "phone, mobile, email, line1, apartment, city, postal_code, country, lat, lng, location_id, "
               "description, comment, barcodes, created_by_user, created_by_account, merchant_id, "
               "creation_source, version, search_text, created_at, updated_at")
ACTION_COLUMNS = ("id, job_id, position, external_reference_id, sku, type, description, quantity, "
                  "quantity_unit, value, weight_kg, status, created_at, updated_at")


def new_id(prefix: str, ms: int, rnd: random.Random) -> str:
    """Same shape as `ids::new_id`: 48 bits of milliseconds, 80 random bits,
    26 Crockford digits, so generated ids sort by their creation time."""
    value = ((ms & 0xFFFF_FFFF_FFFF) << 80) | rnd.getrandbits(80)
    digits = []
    for _ in range(26):
        digits.append(CROCKFORD[value & 31])
        value >>= 5
    return prefix + "_" + "".join(reversed(digits))


def search_text(ref, first, last, phone, mobile, line1, apt, city, postal, barcodes) -> str:
    # As db::jobs::search_text: present fields, then barcodes, "\n"-joined,
    # lower-cased (Python and Rust agree on lower-casing these letters).
    parts = [p for p in (ref, first, last, phone, mobile, line1, apt, city, postal) if p is not None]
    return "\n".join(parts + barcodes).lower()


def postal(rnd: random.Random) -> str:
    letters = "ABCEGHJKLMNPRSTVXY"
    return (f"{rnd.choice('HJGK')}{rnd.randint(0, 9)}{rnd.choice(letters)} "
            f"{rnd.randint(0, 9)}{rnd.choice(letters)}{rnd.randint(0, 9)}")


def make_jobs(start: int, count: int, creators, location_ids, now_ms: int, seed: int):
    """Yields (job_row, [action_rows]) for jobs number start..start+count,
    oldest first (ids are time-ordered, and in-order inserts keep the
    B-trees compact, as real traffic does)."""
    rnd = random.Random(seed)
    created = sorted(now_ms - rnd.randrange(365 * DAY_MS) for _ in range(count))
    today = now_ms // DAY_MS
    for i, at in enumerate(created):
        n = start + i
        user_id, merchant_id = creators[rnd.randrange(len(creators))]
        first, last = rnd.choice(FIRST), rnd.choice(LAST) if rnd.random() < 0.9 else None
        phone = f"+1{rnd.choice(('514', '438', '450', '418', '819', '613'))}{rnd.randrange(10_000_000):07d}"
        mobile = f"+1438{rnd.randrange(10_000_000):07d}" if rnd.random() < 0.3 else None
        line1 = f"{rnd.randint(1, 9999)} {rnd.choice(STREETS)}"
        apt = f"{rnd.randint(1, 40)}" if rnd.random() < 0.25 else None
        city = rnd.choices(CITY_NAMES, CITY_WEIGHTS)[0]
        pc = postal(rnd)
        ref = f"ORD-{n:08d}" if rnd.random() < 0.85 else None
        barcodes = [f"{rnd.randrange(10**12):012d}"] if rnd.random() < 0.4 else []
        day = at // DAY_MS + rnd.randint(0, 7)
        date = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        if day < today - 1:
            status = rnd.choices(["completed", "incomplete", "damaged", "resolved", "cancelled"], [80, 5, 2, 5, 8])[0]
        elif day <= today:
            status = rnd.choices(["new", "in_progress", "completed", "cancelled"], [30, 40, 25, 5])[0]
        else:
            status = rnd.choices(["new", "cancelled"], [95, 5])[0]
        version = 1 if status == "new" else rnd.randint(2, 5)
        updated = min(now_ms, at + rnd.randrange(8 * DAY_MS)) if version > 1 else at
        window = rnd.choice(WINDOWS)
        job_id = new_id("job", at, rnd)
        job = (job_id, ref, rnd.choice(TYPES), status, date, window[0], window[1], first, last, phone, mobile,
               None, line1, apt, city, pc, "CA", None, None, rnd.choice(location_ids),
               f"{rnd.randint(1, 6)} items", None, json.dumps(barcodes), user_id, None, merchant_id,
               "portal", version, search_text(ref, first, last, phone, mobile, line1, apt, city, pc, barcodes),
               at, updated)
        actions = []
        for pos in range(rnd.choices([1, 2, 3, 4], [40, 30, 20, 10])[0]):
            astatus = "undetermined" if status in ("new", "in_progress", "cancelled") else (
                "completed" if status in ("completed", "resolved") else rnd.choice(["incomplete", "damaged", "completed"]))
            actions.append((new_id("act", at, rnd), job_id, pos, None, f"SKU-{rnd.randrange(5000):04d}",
                            job[2], rnd.choice(ITEMS), rnd.randint(1, 4), rnd.choice(UNITS),
                            round(rnd.uniform(10, 900), 2) if rnd.random() < 0.5 else None,
                            round(rnd.uniform(0.5, 60), 1) if rnd.random() < 0.5 else None,
                            astatus, at, updated))
        yield job, actions


def chunks(start: int, count: int, creators, location_ids, now_ms: int, seed: int, chunk: int):
    """The generated jobs and their actions, `chunk` jobs at a time."""
    jobs, actions = [], []
    for job, acts in make_jobs(start, count, creators, location_ids, now_ms, seed):
        jobs.append(job)
        actions.extend(acts)
        if len(jobs) >= chunk:
            yield jobs, actions
            jobs, actions = [], []
    if jobs:
        yield jobs, actions


def fill_sqlite(path: str, start: int, count: int, creators, location_ids, now_ms: int, seed: int,
                chunk: int = 50_000) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    # The generator's own connection only: no fsync per chunk (the server is
    # stopped; a crash here just means generating again).
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")
    job_sql = f"INSERT INTO jobs ({JOB_COLUMNS}) VALUES ({', '.join('?' * 31)})"
    act_sql = f"INSERT INTO actions ({ACTION_COLUMNS}) VALUES ({', '.join('?' * 14)})"

    def flush(jobs, actions):
        db.execute("BEGIN")
        db.executemany(job_sql, jobs)
        db.executemany(act_sql, actions)
        db.execute("COMMIT")

    for jobs, actions in chunks(start, count, creators, location_ids, now_ms, seed, chunk):
        flush(jobs, actions)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _csv(rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in rows:
        # COPY's CSV reads an empty unquoted field as NULL; csv writes None
        # as exactly that, and quotes real empty strings.
        w.writerow(r)
    return buf.getvalue().encode()


def fill_postgres(db: str, start: int, count: int, creators, location_ids, now_ms: int, seed: int,
                  chunk: int = 100_000) -> None:
    for jobs, actions in chunks(start, count, creators, location_ids, now_ms, seed, chunk):
        psql(f"COPY jobs ({JOB_COLUMNS}) FROM STDIN WITH (FORMAT csv)", db, _csv(jobs))
        psql(f"COPY actions ({ACTION_COLUMNS}) FROM STDIN WITH (FORMAT csv)", db, _csv(actions))
    # Autovacuum would analyze later anyway; a production table this size
    # has statistics, so the planner should have them here too.
    psql("VACUUM ANALYZE jobs", db)
    psql("VACUUM ANALYZE actions", db)


def vocabulary():
    """Search terms of several selectivities, for the search benchmark:
    common last names, cities, phone fragments and references."""
    return {"last_name": LAST, "city": CITY_NAMES, "street": STREETS}
