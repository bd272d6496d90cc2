def read_json(data, path):
    return iter(())
