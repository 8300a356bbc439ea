"""OpenProducer: a self-hostable implementation of the Producer music API."""

__version__ = "0.1.0"
