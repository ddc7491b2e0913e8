"""Where dockerfix meets other tools: discovery, compose, git, the result cache, the Action."""
