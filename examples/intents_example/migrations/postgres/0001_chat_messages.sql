-- Every message a chat room delivered, as JSON text (kept byte for byte, which `jsonb` would not
-- be), in the order it was stored. Keyed by the room's namespace: each version of the chat
-- (`/chat-1.0/room`, `/chat-2.0/room`) has its own.
CREATE TABLE chat_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    namespace TEXT NOT NULL,
    message TEXT NOT NULL
);

-- The last messages of one room, newest first: what a client that joins asks for.
CREATE INDEX chat_messages_by_room ON chat_messages (namespace, id);
