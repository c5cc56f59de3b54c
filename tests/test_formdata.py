"""Urlencoded bodies read in one pass: the same QueryDict as Django's, the same refusals."""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict
from django.test import Client, RequestFactory, SimpleTestCase

from minping.lib.formdata import NUL_REFUSED, URLENCODED, FormData, FormDataMiddleware

BODIES = [
    b"",
    b"a=1&a=2&b=&c",
    b"step=submit&s12__de=satisfied&s12__de=unsatisfied&g__text=%E5%A4%9A%E6%9D%A5+%E8%B5%B0%E8%B5%B0",
    "名=值&空格=a+b%20c&plus=%2B".encode(),
    b"x=%ff%fe&%zz=1&&=&a==b",  # a broken escape, an empty pair, an empty key, a second "="
    b"a=1;b=2",  # ";" is not a separator
    b"&&=&a==b&=x&k&s1__de=satisfied&s1__de=",  # nothing escaped: split without parse_qsl, to the same pairs
    "名=值".encode("gb18030"),  # not UTF-8: read as Latin-1, as Django does
]


class FormDataTest(SimpleTestCase):
    def test_reads_every_body_as_django_does(self):
        for body in BODIES:
            with self.subTest(body=body):
                ours, django = FormData(body, encoding="utf-8"), QueryDict(body, encoding="utf-8")
                self.assertEqual(list(ours.lists()), list(django.lists()))
                self.assertEqual(ours.encoding, "utf-8")
        self.assertEqual(list(FormData("名=值&a=1").lists()), list(QueryDict("名=值&a=1").lists()))  # a query string

    def test_is_immutable(self):
        data = FormData(b"a=1")
        with self.assertRaises(AttributeError):
            data["a"] = "2"
        copy = data.copy()
        copy.appendlist("a", "2")
        self.assertEqual(copy.getlist("a"), ["1", "2"])
        self.assertEqual(data.getlist("a"), ["1"])
        mutable = FormData(b"a=1", mutable=True)
        mutable["a"] = "2"
        self.assertEqual(mutable.getlist("a"), ["2"])

    def test_refuses_too_many_fields(self):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        FormData("&".join(f"f{n}=1" for n in range(limit)).encode())
        with self.assertRaises(TooManyFieldsSent):
            FormData("&".join(f"f{n}=1" for n in range(limit + 1)).encode())


class FormDataMiddlewareTest(SimpleTestCase):
    def read(self, request):
        return FormDataMiddleware(lambda r: r)(request)

    def test_an_urlencoded_post_is_read_into_form_data(self):
        request = self.read(RequestFactory().post("/", "a=1&a=2&b=", content_type=URLENCODED))
        self.assertIsInstance(request.POST, FormData)
        self.assertEqual(request.POST.getlist("a"), ["1", "2"])
        self.assertEqual(request.POST["b"], "")
        self.assertEqual(len(request.FILES), 0)
        self.assertIsInstance(request.POST, FormData)  # reading FILES did not read the body again

    def test_other_bodies_are_left_to_django(self):
        factory = RequestFactory()
        for request in (
            factory.post("/", '{"a": 1}', content_type="application/json"),
            factory.post("/", {"a": "1"}),  # multipart
            factory.post("/", "a=1", content_type=f"{URLENCODED}; charset=gb2312"),
            factory.get("/?a=1"),
        ):
            with self.subTest(content_type=request.content_type, method=request.method):
                self.assertFalse(hasattr(self.read(request), "_post"))

    def test_runs_before_the_csrf_check(self):
        middleware = list(settings.MIDDLEWARE)
        self.assertLess(middleware.index("minping.lib.formdata.FormDataMiddleware"), middleware.index("minping.lib.csrf.CsrfMiddleware"))


class FormRefusalsTest(SimpleTestCase):
    """Through the whole stack, a body Django would refuse is refused the same way: 400, not 500."""

    def test_too_many_fields(self):
        body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
        response = Client().post("/v/", body, content_type=URLENCODED)
        self.assertEqual(response.status_code, 400)

    def test_a_body_over_the_size_limit(self):
        body = "code=" + "A" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        response = Client().post("/v/", body, content_type=URLENCODED)
        self.assertEqual(response.status_code, 400)

    def test_a_nul_character_in_a_form_or_a_query_string(self):
        # PostgreSQL cannot store or compare text holding NUL: views that read a field themselves (the voter's
        # code, the ballot box's tracker, search boxes) would otherwise fail with 500.
        for response in (
            Client().post("/v/", "code=AB%00CD", content_type=URLENCODED),
            Client().post("/v/", "code=AB\x00CD", content_type=URLENCODED),
            Client().get("/v/?q=%00"),
        ):
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.content.decode(), NUL_REFUSED)
        api = Client().get("/api/results/1?q=%00")
        self.assertEqual((api.status_code, api.json()["error"]), (400, "nul_character"))
        self.assertEqual(Client().get("/v/?q=%2500").status_code, 200)  # the text "%00" is not a NUL

    def test_a_charset_other_than_utf8(self):
        response = Client().post("/v/", "code=1", content_type=f"{URLENCODED}; charset=gb2312")
        self.assertEqual(response.status_code, 400)
