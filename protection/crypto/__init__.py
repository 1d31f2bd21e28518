"""Field encryption: the keyring from the environment, the cipher, and the model fields."""
