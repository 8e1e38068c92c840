"""boxoffice: a self-hostable box office — seat maps, live holds, exactly-once orders, search."""
