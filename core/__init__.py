"""Storyreel core: the services behind the Streamlit pages, the HTTP API and the command line."""
