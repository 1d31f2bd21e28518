"""Partner agencies: who works in the response, and (later) their services and agreements."""
