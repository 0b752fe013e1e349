"""Guided intake (智能导办): one screen, one small module per step."""
