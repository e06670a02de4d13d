from tests.url_matrix import Route, allow

ROUTES = {"operations:job_list": Route(allow("admin"))}
