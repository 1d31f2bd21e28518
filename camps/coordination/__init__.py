"""Who does what where (3W): which agencies offer which services, by site and sector."""
