"""Newsdesk RAG: grounded, cited question answering over folders of news articles.

Importing this package is cheap on purpose: heavy libraries (torch,
sentence-transformers, chromadb, llama-index) are imported inside the
functions that need them, which keeps `rag ask` cold start low.
"""

__version__ = "0.1.0"
