"""Fritidsbanken: free loans of sports and leisure equipment."""
