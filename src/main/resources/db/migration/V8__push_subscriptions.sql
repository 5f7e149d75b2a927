-- Devices that asked to be notified (Settings: "Notify this device"): a browser's Web Push
-- subscription, one row per endpoint.
CREATE TABLE push_subscriptions (
    id          TEXT PRIMARY KEY,
    endpoint    TEXT NOT NULL UNIQUE,
    p256dh      TEXT NOT NULL,
    auth        TEXT NOT NULL,
    device      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    last_push_at INTEGER
);
