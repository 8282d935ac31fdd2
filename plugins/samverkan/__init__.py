"""samverkan: the partnership with the municipality (IOP): uppdragsförmedling,
röstbärare, projektstöd, network meetings and the follow-up report."""
