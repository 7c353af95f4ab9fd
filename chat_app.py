"""`python chat_app.py [--host H] [--port P] [--auth user:pass]`: same as `rag serve`."""
import sys

from rag.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
